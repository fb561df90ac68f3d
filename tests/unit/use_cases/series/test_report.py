"""The series report: each session's figures, the totals, and what the series produced."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koula.impact import impact_report
from koula.state import LearnerState
from koula.use_cases.series.report import series_report
from tests.unit.use_cases.series.conftest import CARD_KOULA as CARD
from tests.unit.use_cases.series.conftest import KOULA, day
from tests.unit.use_cases.series.conftest import koula_loop as loop
from tests.unit.use_cases.series.memory import MemorySeries


@pytest.fixture
def course(series, now):
    """Two default-Koula sessions (90 minutes), a fortnight apart."""
    series.add_session("one", KOULA, created_at=day(now, -14), title="First")
    series.add_session("two", KOULA, created_at=now, title="Second")
    return series


def test_each_session_gets_its_own_figures_in_session_order(course, now):
    course.put("one", "ana", loop(day(now, -14), returned=day(now, -4)))
    course.put("one", "ben", loop(day(now, -14)))
    course.put("two", "ana", loop(now))
    report = series_report(course)
    first, second = report.sessions
    assert (first.session.id, first.number, second.session.id) == ("one", 1, "two")
    assert (first.participants, first.report.cards.count) == (2, 2)
    assert (first.report.commitments.count, first.report.returns.count) == (2, 1)
    assert first.report.on_time.count == 1 and first.applied == 1
    assert first.report.confidence_change.mean == 2.0
    assert second.participants == 1 and second.report.returns.count == 0


def test_a_sessions_figures_are_its_impact_report(course, now):
    course.put("one", "ana", loop(day(now, -14), returned=day(now, -1), applied="partly"))
    course.put("one", "ben", loop(day(now, -14), returned=day(now, 5), applied="no"))
    course.put("one", "cy", LearnerState())
    (found, _) = series_report(course).sessions
    expected = impact_report(
        KOULA,
        [(learner, state) for learner, _, state in course.members("one")],
        computed_at=course.now(),
    )
    assert found.report == expected


def test_time_invested_is_participants_times_the_sessions_minutes(course, now):
    for n in range(3):
        course.put("one", f"l{n}", loop(day(now, -14)))
    course.put("one", "idle", LearnerState())  # not a participant
    course.put("two", "ana", loop(now))
    report = series_report(course)
    assert [s.minutes_invested for s in report.sessions] == [3 * 90, 90]
    assert report.totals.minutes_invested == 4 * 90
    assert report.totals.participations == 4


def test_the_totals_add_up_what_the_series_produced(course, now):
    story = {"value_story": "Meetings end on time now.", "value_cycle": "realised"}
    course.put("one", "ana", loop(day(now, -14), returned=day(now, -2), **story))
    course.put("one", "ben", loop(day(now, -14), returned=day(now, 3), applied="no"))
    course.put("two", "ana", loop(now, returned=now, applied="partly"))
    totals = series_report(course).totals
    assert (totals.sessions, totals.cards, totals.commitments, totals.returns) == (2, 3, 3, 3)
    assert (totals.on_time, totals.applied, totals.stories) == (2, 2, 1)
    assert totals.applied_rate.rate == round(2 / 3, 4)
    assert totals.confidence_change.mean == 2.0 and totals.confidence_change.n == 3


def test_the_most_reused_cards_are_ranked_across_sessions(course, now):
    from koula.community import public_id

    course.put("one", "ana", loop(day(now, -14), share=True), "Ana")
    course.put("two", "ben", loop(now, share=True, card={**CARD, "practice_name": "Lean coffee"}))
    ana_card, ben_card = public_id("scope-one", "ana"), public_id("scope-two", "ben")
    for n in range(2):
        course.put("one", f"m{n}", LearnerState(will_use=(ana_card,)))
    for n in range(3):
        course.put("two", f"m{n}", LearnerState(will_use=(ben_card,)))
    cards = series_report(course).top_cards
    assert [(c.title, c.number, c.reuses) for c in cards] == [
        ("Lean coffee", 2, 3),
        ("Pair review", 1, 2),
    ]
    assert cards[1].author == "Ana"


def test_blockers_are_grouped_across_sessions(course, now):
    course.put("one", "ana", loop(day(now, -14), returned=now, blockers=["No time!", "Budget"]))
    course.put("two", "ben", loop(now, returned=now, blockers=["no time"]))
    course.put("two", "cy", loop(now, returned=now))
    blockers = series_report(course).blockers
    assert [(g.text, g.count) for g in blockers.groups] == [("no time", 2), ("budget", 1)]
    assert (blockers.learners.count, blockers.learners.of) == (2, 3)


def test_value_stories_come_from_the_latest_sessions_with_their_tellers(course, now):
    old = {"value_story": "Old story", "value_cycle": "applied"}
    new = {"value_story": "New story", "value_cycle": "potential"}
    far = {"value_story": "Far story", "value_cycle": "realised"}
    course.put("one", "ana", loop(day(now, -14), returned=now, **old), "Ana")
    course.put("two", "ben", loop(now, returned=now, **new), "Ben")
    course.put("two", "cy", loop(now, returned=now, **far))
    stories = series_report(course).stories
    assert [(s.text, s.name, s.number) for s in stories] == [
        ("Far story", "cy", 2),
        ("New story", "Ben", 2),
        ("Old story", "Ana", 1),
    ]


def test_each_session_is_read_once(course, now):
    course.put("one", "ana", loop(day(now, -14)))
    series_report(course)
    assert dict(course.reads) == {"one": 1, "two": 1}


def test_an_empty_series_reports_nothing_and_no_blockers(now):
    report = series_report(MemorySeries(now))
    assert report.sessions == () and report.blockers is None
    assert report.totals.return_rate.rate is None
    assert report.to_data()["totals"]["minutes_invested"] == 0


def test_the_report_reads_as_json(course, now):
    course.put("one", "ana", loop(day(now, -14), returned=now))
    data = series_report(course).to_data()
    first = data["sessions"][0]
    assert first["session"] == {
        "id": "one",
        "number": 1,
        "title": "First",
        "date": "2026-11-14",
        "template_id": "default-koula",
        "minutes": 90,
        "host": "",
    }
    assert (first["participants"], first["returns"], first["minutes_invested"]) == (1, 1, 90)
    assert first["applied_rate"] == {"count": 1, "of": 1, "rate": 1.0}
    assert data["computed_at"] == "2026-11-28T09:30:15.123Z"


stages = st.lists(st.sampled_from(["idle", "committed", "on time", "late"]), max_size=8)


@settings(max_examples=40, deadline=None)
@given(st.lists(stages, min_size=1, max_size=4))
def test_the_totals_are_the_sums_of_the_sessions(cohorts):
    now = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    series = MemorySeries(now)
    for number, cohort in enumerate(cohorts):
        sid = f"s{number}"
        series.add_session(sid, KOULA, created_at=day(now, -30 + number))
        for n, stage in enumerate(cohort):
            at = day(now, -30)
            state = {
                "idle": LearnerState(),
                "committed": loop(at),
                "on time": loop(at, returned=day(at, 3)),
                "late": loop(at, returned=day(at, 20), applied="no"),
            }[stage]
            series.put(sid, f"l{n}", state)
    report = series_report(series)
    totals = report.totals
    assert totals.returns == sum(c.count("on time") + c.count("late") for c in cohorts)
    assert totals.on_time == sum(c.count("on time") for c in cohorts)
    assert totals.applied == totals.on_time
    assert totals.participations == sum(len(c) - c.count("idle") for c in cohorts)
    assert totals.minutes_invested == 90 * totals.participations
    assert totals.cards == totals.commitments == totals.participations
