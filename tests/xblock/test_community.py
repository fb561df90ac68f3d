"""The community's card library and the host hand-over, in the real XBlock runtime."""

from __future__ import annotations

from tests.xblock.runtime import Course, call
from tests.xblock.test_learner_actions import card_values, commitment_values


def shared_card(course: Course, who: str, practice: str, *, share: bool = True):
    block = course.block(who)
    values = {**card_values(block), "practice_name": practice}
    assert call(block, "submit_deliverable", {"values": values})[0] == 200
    if share:
        assert call(block, "share_card", {"shared": True})[0] == 200
    return block


def cards(block, body=None):
    status, page = call(block, "shared_cards", body or {})
    assert status == 200, page
    return page


def test_a_learner_sees_the_cards_others_shared_with_their_names_and_nothing_else(course):
    ana = shared_card(course, "ana", "Pair review")
    call(ana, "commit_experiment", {"values": commitment_values(ana)})
    shared_card(course, "ben", "Private practice", share=False)
    page = cards(course.block("carla"))
    assert [(c["title"], c["author"], c["mine"]) for c in page["cards"]] == [
        ("Pair review", "ana", False)
    ]
    assert "Private practice" not in str(page)
    assert "commitment" not in str(page) and "anon-ana" not in str(page)


def test_a_card_can_only_be_shared_once_submitted_and_can_be_withdrawn(course):
    block = course.block("ana")
    status, body = call(block, "share_card", {"shared": True})
    assert status == 409 and "Submit your practice card first" in body["errors"]["_"]
    ana = shared_card(course, "ana", "Pair review")
    assert cards(ana)["cards"][0]["mine"] is True
    status, state = call(ana, "share_card", {"shared": False})
    assert status == 200 and state["community"]["shared"] is False
    assert cards(course.block("ben"))["cards"] == []


def test_marking_a_card_counts_as_reuse_but_not_on_ones_own_or_an_unshared_card(course):
    ana = shared_card(course, "ana", "Pair review")
    card = cards(ana)["cards"][0]["id"]
    ben = course.block("ben")
    status, state = call(ben, "reuse_card", {"card": card, "reuse": True})
    assert status == 200 and state["community"]["will_use"] == [card]
    seen = cards(ben)["cards"][0]
    assert (seen["reuses"], seen["reused"]) == (1, True)
    assert call(ana, "reuse_card", {"card": card, "reuse": True})[0] == 409
    assert call(ben, "reuse_card", {"card": "0123456789abcdef", "reuse": True})[0] == 409
    assert call(ben, "reuse_card", {"card": card, "reuse": "yes"})[0] == 400


def test_learners_search_the_shared_cards(course):
    shared_card(course, "ana", "Pair review")
    shared_card(course, "ben", "Café debrief")
    reader = course.block("carla")
    assert [c["author"] for c in cards(reader, {"query": "cafe"})["cards"]] == ["ben"]
    assert cards(reader, {"query": "nothing like it"})["matching"] == 0
    assert call(reader, "shared_cards", {"query": 42})[0] == 400


def test_the_report_counts_shared_cards_reuse_and_host_rotation(course):
    ana = shared_card(course, "ana", "Pair review")
    shared_card(course, "ben", "Secret", share=False)
    call(course.block("ben"), "reuse_card", {"card": cards(ana)["cards"][0]["id"], "reuse": True})
    staff = course.block("teacher", staff=True)
    call(staff, "assign_host", {"next_host": "ana"})
    html = course.block("teacher", staff=True).student_view().content
    community = html.split('data-section="community"')[1].split("</section>")[0]
    assert "1 of 2 — 50%" in community  # shared of submitted
    assert "Pair review" in community
    rotation = html.split('data-section="rotation"')[1].split("</section>")[0]
    assert "ana, from" in rotation


def test_volunteers_are_listed_by_name_not_by_their_anonymous_id(course):
    call(course.block("keen-learner"), "volunteer_host", {"volunteer": True})
    html = course.block("teacher", staff=True).student_view().content
    volunteers = html.split('data-role="volunteers"')[1].split("</dd>")[0]
    assert "keen-learner" in volunteers and "anon-keen-learner" not in volunteers


def test_the_volunteer_chosen_as_host_opens_the_run_sheet_and_hands_over(course):
    call(course.block("ana"), "volunteer_host", {"volunteer": True})
    assert "koula-runsheet" not in course.block("ana").student_view().content
    assert call(course.block("ana"), "assign_host", {"next_host": "ben"})[0] == 403
    call(course.block("teacher", staff=True), "assign_host", {"next_host": "ana"})
    html = course.block("ana").student_view().content
    assert "koula-runsheet" in html and "data-koula-next-host" in html
    assert "koula-report" not in html
    assert "koula-runsheet" not in course.block("ben").student_view().content
    call(course.block("ben"), "volunteer_host", {"volunteer": True})
    status, body = call(course.block("ana"), "assign_host", {"next_host": "ben"})
    assert (status, body["next_host"]) == (200, "ben")
    assert "koula-runsheet" in course.block("ben").student_view().content
    assert call(course.block("ana"), "assign_host", {"next_host": "ana"})[0] == 403


def test_staff_open_one_learners_answers_from_the_report_and_learners_cannot(course):
    shared_card(course, "ana", "Pair review")
    staff = course.block("teacher", staff=True)
    assert "staff_report?learner=anon-ana" in staff.student_view().content
    status, _body = call(course.block("ben"), "staff_report", b"", method="GET")
    assert status == 403
    from webob import Request

    request = Request.blank("/?learner=anon-ana")
    response = staff.runtime.handle(staff, "staff_report", request)
    page = response.body.decode()
    assert response.status_int == 200 and page.startswith("<!doctype html>")
    assert "Pair review" in page and 'class="koula-staff koula-report"' in page


def test_a_typed_name_finds_its_participant_whatever_the_case_of_its_accents(course):
    """The same scenario as the LTI tool's (tests/lti/test_community.py): Unicode case folding."""
    call(course.block("Élodie Host"), "volunteer_host", {"volunteer": True})
    call(course.block("Ben Host"), "volunteer_host", {"volunteer": True})
    staff = course.block("teacher", staff=True)
    status, body = call(staff, "assign_host", {"next_host": "  élodie   HOST "})
    assert (status, body["next_host"]) == (200, "Élodie Host")
    assert "koula-runsheet" in course.block("Élodie Host").student_view().content
    host = course.block("Élodie Host", language="fr")
    status, body = call(host, "assign_host", {"next_host": "BEN HOST"})
    assert body == {"next_host": "Ben Host", "message": "Le prochain hôte est enregistré."}
    status, body = call(host, "assign_host", {"next_host": "Élodie Host"})
    assert status == 403
    assert body["errors"]["_"].startswith("Seuls l’équipe pédagogique")
