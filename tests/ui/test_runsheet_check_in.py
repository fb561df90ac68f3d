"""The run-sheet's check-in: experiments from earlier sessions in its first phase."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from lxml import html as lxml_html

from koula import Actor, CheckIn, check_in
from koula.library import get_template
from koula_ui.runsheet import render_runsheet
from tests.unit.use_cases.series.conftest import KOULA, koula_loop
from tests.unit.use_cases.series.memory import MemorySeries

NOW = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
ATTACK = "<b>bold</b>"


def day(offset: int) -> dt.datetime:
    return NOW + dt.timedelta(days=offset)


@pytest.fixture(scope="module")
def course() -> MemorySeries:
    course = MemorySeries(NOW)
    course.add_session("one", KOULA, created_at=day(-28), title="September")
    course.add_session("two", KOULA, created_at=day(-14), title="October")
    course.add_session("three", KOULA, created_at=NOW, host="Hana", host_id="hana")
    course.put("one", "olga", koula_loop(day(-28), group=True), f"Olga {ATTACK}")
    course.put("two", "ana", koula_loop(day(-14), group=True, returned=day(-1)), "Ana")
    course.put("two", "ben", koula_loop(day(-14), returned=day(2)), "Ben")
    course.put("two", "cy", koula_loop(day(-14)), "Cy")
    return course


def found(course: MemorySeries, viewer: Actor, language: str = "en") -> CheckIn:
    return check_in(course, session_id="three", viewer=viewer, language=language)


def render(found: CheckIn | None, **options: Any) -> Any:
    page = render_runsheet(
        template=get_template("default-koula"),
        **{"language": "en", "uid": "s1", "check_in": found} | options,
    )
    return lxml_html.fragment_fromstring(page)


def rows(root: Any) -> list[list[str]]:
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
        for row in root.xpath('.//section[@data-role="check-in"]//tbody/tr')
    ]


def test_staff_read_who_committed_to_what_due_when_and_whether_they_reported(course):
    root = render(found(course, Actor(None, staff=True)))
    assert rows(root) == [
        [
            f"Olga {ATTACK}",
            "Run a retro",
            "Session 1: September",
            "14 November 2026",
            "Not reported yet, overdue",
        ],
        [
            "Ana",
            "Run a retro",
            "Session 2: October",
            "28 November 2026",
            "Reported back on 27 November 2026",
        ],
        [
            "Ben",
            "Run a retro",
            "Session 2: October",
            "28 November 2026",
            "Reported back late, on 30 November 2026",
        ],
        ["Cy", "Run a retro", "Session 2: October", "28 November 2026", "Not reported yet"],
    ]
    states = root.xpath('.//section[@data-role="check-in"]//tbody/tr/@data-state')
    assert states == ["overdue", "reported", "reported", "open"]


def test_the_check_in_sits_in_the_first_phase_only(course):
    root = render(found(course, Actor(None, staff=True)))
    phases = root.xpath('.//li[contains(@class, "koula-staff-phase")]')
    assert phases[0].xpath('.//section[@data-role="check-in"]')
    assert not any(p.xpath('.//section[@data-role="check-in"]') for p in phases[1:])
    (table,) = phases[0].xpath('.//section[@data-role="check-in"]//table')
    assert table.xpath("./caption")


def test_the_learner_host_reads_only_shared_commitments_and_how_many_were_not(course):
    root = render(found(course, Actor("hana")))
    assert [row[0] for row in rows(root)] == [f"Olga {ATTACK}", "Ana"]
    notes = root.xpath('.//section[@data-role="check-in"]/p[@class="koula-staff-note"]')
    assert [" ".join(n.text_content().split()) for n in notes] == [
        "2 more were not shared with the group; course staff see them in the staff view."
    ]


def test_names_and_experiments_are_escaped(course):
    page = render_runsheet(
        template=get_template("default-koula"),
        language="en",
        uid="s1",
        check_in=found(course, Actor(None, staff=True)),
    )
    assert ATTACK not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


def test_without_a_check_in_the_run_sheet_is_unchanged():
    root = render(None)
    assert not root.xpath('.//section[@data-role="check-in"]')


def test_an_empty_check_in_says_there_is_nothing_to_check_in_on():
    root = render(CheckIn((), 0, 0, True))
    section = root.xpath('.//section[@data-role="check-in"]')[0]
    assert not section.xpath(".//table")
    assert "No experiment from an earlier session" in section.text_content()


def test_the_check_in_reads_in_french(course):
    root = render(found(course, Actor(None, staff=True), "fr"), language="fr")
    (heading,) = root.xpath('.//section[@data-role="check-in"]/h4')
    assert heading.text == "Expérimentations des séances précédentes"
    assert rows(root)[0][3] == "14 novembre 2026"
