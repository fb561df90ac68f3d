"""The series report page: what koula_ui.report_series draws for managers, in both languages.

A course of three default-Koula sessions a fortnight apart (90 minutes each), built with
the real actions through the in-memory series of the core's unit tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from lxml import html as lxml_html

from koula import SeriesReport, series_report
from koula.community import public_id
from koula.state import LearnerState
from koula_ui.report_series import render_series_report
from tests.unit.use_cases.series.conftest import KOULA, koula_loop
from tests.unit.use_cases.series.memory import MemorySeries

NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
ATTACK = '<script>alert("x")</script>'


def day(offset: int) -> dt.datetime:
    return NOW + dt.timedelta(days=offset)


@pytest.fixture(scope="module")
def report() -> SeriesReport:
    course = MemorySeries(NOW)
    course.add_session("one", KOULA, created_at=day(-28), title=f"Kick-off {ATTACK}", host="Ana")
    course.add_session("two", KOULA, created_at=day(-14), title="Retros")
    course.add_session("three", KOULA, created_at=NOW, title="")
    story = {"value_story": f"Meetings end on time {ATTACK}", "value_cycle": "realised"}
    course.put("one", "ana", koula_loop(day(-28), share=True, returned=day(-20), **story), "Ana")
    course.put("one", "ben", koula_loop(day(-28), returned=day(-10), applied="no"), "Ben")
    course.put("one", "cy", LearnerState())
    for n in range(3):
        blockers = ["No time!", ATTACK] if n else ["no time"]
        state = koula_loop(day(-14), returned=day(-3), blockers=blockers)
        course.put("two", f"l{n}", state)
    course.put("one", "m", LearnerState(will_use=(public_id("scope-one", "ana"),)))
    course.put("three", "ana", koula_loop(NOW))
    return series_report(course)


def render(report: SeriesReport, **options: Any) -> str:
    return render_series_report(report, **{"language": "en", "uid": "s1"} | options)


def parse(page: str) -> Any:
    return lxml_html.fragment_fromstring(page)


def text(node: Any) -> str:
    return " ".join(node.text_content().split())


def test_headings_nest_under_one_title_and_every_table_has_a_caption(report):
    root = parse(render(report, title="Sales community"))
    assert [h.tag for h in root.xpath(".//h2|.//h3")][:1] == ["h2"]
    assert text(root.xpath(".//h2")[0]) == "Impact over time"
    assert root.xpath('.//p[@class="koula-staff-subtitle"]')[0].text == "Sales community"
    assert {text(h) for h in root.xpath(".//h3")} >= {
        "Time invested, and what it produced",
        "Session by session",
        "Trends",
        "The most reused practice cards",
        "What got in the way, across sessions",
        "Value stories",
    }
    tables = root.xpath(".//table")
    assert tables and all(table.xpath("./caption") for table in tables)
    assert all(th.get("scope") in ("col", "row") for th in root.xpath(".//th"))


def test_the_session_table_has_one_row_per_session_in_order(report):
    root = parse(render(report))
    rows = root.xpath('.//table[@data-role="sessions"]/tbody/tr')
    cells = [[text(cell) for cell in row.xpath("./th|./td")] for row in rows]
    assert [row[0] for row in cells] == [
        f"1. Kick-off {ATTACK}",
        "2. Retros",
        "3. Default Koula: demo, practise, commit",
    ]
    first = cells[0]
    assert first[1] == "31 October 2026" and first[2] == "Ana"
    assert first[3:8] == ["2", "2", "2", "2 of 2 — 100%", "1"]
    assert first[8] == "50%" and first[9] == "+2.0 (n = 2)" and first[10] == "3.0 h"
    assert cells[2][6] == "0 of 1 — 0%" and cells[2][8] == "—"
    assert rows[0].xpath(".//time/@datetime") == ["2026-10-31"]


def test_time_invested_is_set_beside_what_it_produced(report):
    root = parse(render(report))
    figures = {
        text(div.xpath("./dt")[0]): text(div.xpath("./dd")[0])
        for div in root.xpath('.//section[@data-section="invested"]//dl/div')
    }
    assert figures["Time invested (participants × session length)"] == "9.0 h (6 participations)"
    assert figures["Applied at work (yes or partly)"] == "4 of 5 — 80%"
    assert figures["Value stories told"] == "1"
    assert figures["Time invested per experiment applied"] == "2.2 h"  # 540 min / 4
    assert figures["Returns on time"] == "4 of 5 — 80%"  # Ben reported late


def test_each_trend_chart_is_an_image_whose_description_says_every_session(report):
    root = parse(render(report))
    charts = root.xpath('.//section[@data-section="trends"]//figure')
    assert [c.get("data-chart") for c in charts] == [
        "participants",
        "returns",
        "applied",
        "confidence",
    ]
    for chart in charts:
        (svg,) = chart.xpath(".//svg")
        assert svg.get("role") == "img"
        labelled = svg.get("aria-labelledby").split()
        assert [svg.xpath(f'.//*[@id="{i}"]')[0].tag for i in labelled] == ["title", "desc"]
    desc = text(charts[1].xpath(".//desc")[0])
    assert desc == (
        "By session, in order: session 1 (31 October 2026): 100%; "
        "session 2 (14 November 2026): 100%; session 3 (28 November 2026): 0%."
    )
    applied = text(charts[2].xpath(".//desc")[0])
    assert "session 3 (28 November 2026): —" in applied


def test_the_most_reused_cards_name_their_session(report):
    root = parse(render(report))
    (row,) = root.xpath('.//table[@data-role="reused-cards"]/tbody/tr')
    assert [text(cell) for cell in row.xpath("./th|./td")] == [
        "Pair review",
        f"Session 1: Kick-off {ATTACK}",
        "Ana",
        "1",
    ]


def test_blockers_are_grouped_across_sessions_and_stories_credited(report):
    root = parse(render(report))
    blockers = root.xpath('.//section[@data-section="blockers"]//tbody/tr')
    assert text(blockers[0].xpath("./th")[0]) == "no time"
    (story,) = root.xpath('.//section[@data-section="stories"]//figure')
    assert text(story.xpath(".//blockquote")[0]) == f"Meetings end on time {ATTACK}"
    assert text(story.xpath(".//figcaption")[0]).startswith("Ana · Session 1:")


def test_what_people_typed_is_escaped(report):
    page = render(report)
    assert ATTACK not in page
    assert "&lt;script&gt;" in page


def test_the_report_reads_in_french_with_decimal_commas(report):
    root = parse(render(report, language="fr"))
    assert root.get("lang") == "fr"
    assert text(root.xpath(".//h2")[0]) == "L’impact dans la durée"
    first = [text(c) for c in root.xpath('.//table[@data-role="sessions"]/tbody/tr[1]/*')]
    assert first[1] == "31 octobre 2026" and first[10] == "3,0 h" and first[8] == "50 %"
    assert "+2,0" in first[9]


def test_a_csv_link_is_offered_when_given(report):
    root = parse(render(report, csv_url="/series.csv?x=1&y=2"))
    (link,) = root.xpath('.//a[@data-role="csv"]')
    assert link.get("href") == "/series.csv?x=1&y=2" and link.get("download") is not None
    assert not parse(render(report)).xpath('.//a[@data-role="csv"]')


def test_a_course_without_sessions_says_so():
    root = parse(render(series_report(MemorySeries(NOW))))
    assert root.xpath('.//p[@data-role="empty"]')
    assert not root.xpath(".//table")


def test_ids_are_unique_with_two_reports_on_a_page(report):
    page = f"<div>{render(report, uid='a')}{render(report, uid='b')}</div>"
    ids = parse(page).xpath("//@id")
    assert len(ids) == len(set(ids))
