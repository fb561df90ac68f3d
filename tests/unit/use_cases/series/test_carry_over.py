"""Carry-over: open experiments from earlier sessions, and their return from a later page."""

from __future__ import annotations

import datetime as dt

import pytest

from koula.errors import BadRequest, Conflict
from koula.state import LearnerState
from koula.use_cases.series.carry_over import carried_over, submit_earlier_return
from tests.unit.use_cases.series.conftest import RETURN, day


@pytest.fixture
def course(series, minimal_template, now):
    """Four sessions a week apart; ``now`` is the day of the third."""
    for number, sid in enumerate(["one", "two", "three", "four"]):
        series.add_session(
            sid, minimal_template, created_at=day(now, 7 * (number - 2)), title=sid.title()
        )
    return series


def test_a_learner_sees_open_experiments_from_earlier_sessions_oldest_first(course, steps, now):
    course.put("two", "ana", steps.committed(at=day(now, -7)))
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    found = carried_over(course, learner_id="ana", session_id="three")
    assert [(c.session.id, c.number) for c in found] == [("one", 1), ("two", 2)]
    assert found[0].what == "Run a five-minute retro"
    assert found[0].due_on == dt.date(2026, 11, 28)  # committed 14 November, 14-day window
    assert found[0].committed_at == day(now, -14).replace(microsecond=123000)


def test_an_experiment_past_its_due_date_is_overdue_and_still_offered(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -15)))
    course.put("two", "ana", steps.committed(at=day(now, -14)))
    overdue, due_today = carried_over(course, learner_id="ana", session_id="three")
    assert overdue.overdue and overdue.due_on == dt.date(2026, 11, 27)
    assert not due_today.overdue


def test_reported_experiments_and_those_of_the_same_or_later_sessions_are_not_carried(
    course, steps, now
):
    course.put("one", "ana", steps.returned(at=day(now, -14)))
    course.put("three", "ana", steps.committed())
    course.put("four", "ana", steps.committed())
    course.put("two", "ben", steps.committed(at=day(now, -7)))
    assert carried_over(course, learner_id="ana", session_id="three") == []


def test_a_session_outside_the_series_carries_nothing(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    assert carried_over(course, learner_id="ana", session_id="elsewhere") == []
    assert carried_over(course, learner_id="ana", session_id="one") == []


def test_the_page_gets_the_session_and_the_learners_state_there(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    (item,) = carried_over(course, learner_id="ana", session_id="two")
    data = item.to_data("en")
    assert data["session"] == {
        "id": "one",
        "number": 1,
        "title": "One",
        "date": "2026-11-14",
        "url": None,
    }
    assert data["due_on"] == "2026-11-28" and data["overdue"] is False
    assert data["state"]["return"]["status"] == "empty"
    assert data["state"]["progress"]["activity"] == "Submitted"


def test_a_return_from_a_later_page_completes_the_earlier_session(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    done = submit_earlier_return(
        course,
        {"values": RETURN},
        learner_id="ana",
        session_id="three",
        earlier_id="one",
        language="en",
    )
    assert done.session.id == "one"
    assert done.outcome.status == 200
    assert done.outcome.progress is not None and done.outcome.progress.completion == 1.0
    assert course.saves == [("one", "ana")]
    earlier = course.state("one", "ana")
    assert earlier.return_.values == RETURN and earlier.return_.on_time is True
    assert carried_over(course, learner_id="ana", session_id="three") == []


def test_a_late_return_from_a_later_page_is_late_in_the_earlier_session(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -20)))
    submit_earlier_return(
        course,
        {"values": RETURN},
        learner_id="ana",
        session_id="two",
        earlier_id="one",
        language="en",
    )
    assert course.state("one", "ana").return_.on_time is False


def test_a_refused_return_keeps_what_was_typed_as_the_earlier_sessions_draft(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    typed = {"applied": "maybe", "what_happened": "Half of it"}
    done = submit_earlier_return(
        course,
        {"values": typed},
        learner_id="ana",
        session_id="two",
        earlier_id="one",
        language="fr",
    )
    assert done.outcome.status == 400 and done.outcome.progress is None
    assert "applied" in done.outcome.body["errors"]
    assert course.state("one", "ana").return_.draft == typed


def test_a_draft_from_a_later_page_is_saved_in_the_earlier_session(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    done = submit_earlier_return(
        course,
        {"values": {"what_happened": "So far, once"}},
        learner_id="ana",
        session_id="two",
        earlier_id="one",
        language="en",
        draft=True,
    )
    assert done.outcome.status == 200 and done.outcome.progress is None
    earlier = course.state("one", "ana")
    assert earlier.return_.draft == {"what_happened": "So far, once"}
    assert not earlier.return_.done


@pytest.mark.parametrize("earlier_id", ["three", "four", "two", "elsewhere"])
def test_a_return_for_a_session_that_is_not_earlier_is_refused_and_nothing_stored(
    course, steps, now, earlier_id
):
    for sid in ("one", "two", "three", "four"):
        course.put(sid, "ana", steps.committed(at=day(now, -14)))
    with pytest.raises(BadRequest) as refused:
        submit_earlier_return(
            course,
            {"values": RETURN},
            learner_id="ana",
            session_id="two",
            earlier_id=earlier_id,
            language="en",
        )
    assert refused.value.status == 400 and "session" in refused.value.errors
    assert course.saves == []


def test_a_return_for_a_session_from_a_page_outside_the_series_is_refused(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -14)))
    with pytest.raises(BadRequest):
        submit_earlier_return(
            course,
            {"values": RETURN},
            learner_id="ana",
            session_id="elsewhere",
            earlier_id="one",
            language="en",
        )


@pytest.mark.parametrize("stage", ["nothing", "card only", "reported"])
def test_a_return_where_no_experiment_is_open_is_refused_in_the_learners_language(
    course, steps, now, stage
):
    if stage == "card only":
        course.put("one", "ana", LearnerState(deliverable=steps.committed().deliverable))
    elif stage == "reported":
        course.put("one", "ana", steps.returned(at=day(now, -14), on=day(now, -10)))
    before = dict(course.stored["one"])
    with pytest.raises(Conflict) as refused:
        submit_earlier_return(
            course,
            {"values": RETURN},
            learner_id="ana",
            session_id="three",
            earlier_id="one",
            language="fr",
        )
    assert refused.value.status == 409
    assert "expérimentation" in refused.value.errors["_"]
    assert course.saves == [] and course.stored["one"] == before
