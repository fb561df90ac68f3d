"""The community section of the learner page and the community part of the report."""

from __future__ import annotations

import datetime as dt

from lxml import html as lxml_html

from koula.community_report import CommunityReport, ReusedCard
from koula.library import get_template
from koula.messages import gettext_for
from koula.rotation import Turn, rotation_of
from koula_ui.render import render_activity
from koula_ui.report_community import community_view, rotation_view

TEMPLATE = get_template("default-koula")


def section(state, *, preview=False, language="en"):
    page = render_activity(
        template=TEMPLATE, state=state, language=language, context={}, uid="c1", preview=preview
    )
    found = lxml_html.fragment_fromstring(page).xpath(".//*[@data-koula-community]")
    return found[0] if found else None


def test_the_share_button_says_whether_the_card_is_shared_and_waits_for_a_submitted_card():
    empty = section({})
    assert empty.xpath('string(.//button[@data-role="share"]/@aria-pressed)') == "false"
    assert empty.xpath('.//*[@data-role="share-hint"]/@hidden') == []
    shared = section({"deliverable": {"status": "submitted"}, "community": {"shared": True}})
    assert shared.xpath('string(.//button[@data-role="share"]/@aria-pressed)') == "true"
    assert shared.xpath('.//*[@data-role="share-hint"]/@hidden') != []


def test_the_search_has_a_label_and_speaks_its_count():
    found = section({}, language="fr")
    query = found.xpath('.//input[@type="search"]')[0]
    label = found.xpath(f'string(.//label[@for="{query.get("id")}"])')
    assert label == "Rechercher dans les fiches partagées"
    assert found.xpath('string(.//*[@data-role="cards-count"]/@aria-live)') == "polite"


def test_the_preview_has_no_community_section():
    assert section({}, preview=True) is None


def test_the_report_figures_give_counts_and_rates_in_the_readers_language():
    report = CommunityReport(
        cards=4,
        shared=2,
        reuses=3,
        cards_reused=1,
        reusers=2,
        top=(ReusedCard("Pair review", "Ana", 3),),
    )
    view = community_view(report, gettext_for("fr"))
    assert view["figures"][0] == ("Fiches pratiques partagées avec la communauté", "2 sur 4 — 50 %")
    assert view["top"] == [{"title": "Pair review", "author": "Ana", "reuses": 3}]


def test_the_rotation_lists_hand_overs_with_readable_dates():
    when = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    rotation = rotation_of((Turn("Ana", "u1", when), Turn("Ben", None, when)), ["Carla"])
    view = rotation_view(rotation, gettext_for("en"))
    assert view["turns"][0] == {"name": "Ana", "date": "28 November 2026", "iso": "2026-11-28"}
    assert (view["hosts"], view["next_host"], view["volunteers"]) == (2, "Ben", ["Carla"])
