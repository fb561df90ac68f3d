"""A learner's own data and the privacy notice in Open edX (koula_xblock/my_data.py), in the
real XBlock runtime."""

from __future__ import annotations

import json

from webob import Request

from tests.xblock.runtime import call
from tests.xblock.test_learner_actions import card_values


def get(block, handler: str, query: str = ""):
    return block.runtime.handle(block, handler, Request.blank(f"/{query}", method="GET"))


def test_the_learner_page_links_the_download_and_the_notice(course):
    html = course.block("ana").student_view().content
    assert '<a href="/handler/my_data" download>Download my answers</a>' in html
    assert '<a href="/handler/privacy_notice" target="_blank"' in html
    assert "/handler/my_data" not in course.block("ana").author_view().content


def test_download_my_answers_gives_the_learners_own_data_in_this_block(course):
    ana = course.block("ana")
    values = card_values(ana)
    call(ana, "submit_deliverable", {"values": values})
    call(ana, "share_card", {"shared": True})
    ben = course.block("ben")
    call(ben, "submit_deliverable", {"values": {**card_values(ben), "practice_name": "BEN-ONLY"}})
    card = call(ben, "shared_cards", {})[1]["cards"][0]["id"]
    assert call(ben, "reuse_card", {"card": card, "reuse": True})[0] == 200
    answer = get(course.block("ana"), "my_data")
    assert answer.status_int == 200
    assert answer.content_disposition == 'attachment; filename="koula-my-answers.json"'
    assert answer.headers["Cache-Control"] == "private, no-store"
    data = json.loads(answer.body)
    assert data["koula_export"] == 1 and data["learner_id"] == "anon-ana"
    assert data["activity"]["state"]["deliverable"]["values"] == values
    assert data["activity"]["state"]["community"]["shared"] is True
    assert data["activity"]["card_marked_by_others"] == 1
    assert "BEN-ONLY" not in answer.text


def test_the_privacy_notice_says_what_who_and_how_long_in_both_languages(course):
    english = get(course.block("ana"), "privacy_notice", "?lang=en")
    french = get(course.block("ana"), "privacy_notice", "?lang=fr")
    assert english.status_int == french.status_int == 200
    assert "Your data in this Koula activity" in english.text
    assert "course staff" in english.text and "retires your account" in english.text
    assert '<html lang="fr">' in french.text and "Vos données dans cette activité" in french.text
    assert '<html lang="fr">' in get(course.block("ana", language="fr"), "privacy_notice").text


def test_download_my_answers_lists_the_hand_overs_naming_the_learner(course):
    ana = course.block("ana")
    call(ana, "submit_deliverable", {"values": card_values(ana)})
    name = json.loads(get(course.block("ana"), "my_data").body)["name"]
    staff = course.block("staff", staff=True)
    assert call(staff, "assign_host", {"next_host": name})[0] == 200
    assert call(staff, "assign_host", {"next_host": "Someone Else"})[0] == 200
    turns = json.loads(get(course.block("ana"), "my_data").body)["activity"]["host_turns"]
    assert [turn["name"] for turn in turns] == [name]
