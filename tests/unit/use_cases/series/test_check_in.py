"""The host's check-in: experiments from earlier sessions, and who may see which."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koula.errors import NotPermitted
from koula.use_cases.hosting import Actor
from koula.use_cases.series.check_in import check_in
from tests.unit.use_cases.series.conftest import day

STAFF = Actor(None, staff=True)
HOST = Actor("hana")


@pytest.fixture
def course(series, minimal_template, now):
    """Three sessions two weeks apart; the third is today's, hosted by Hana."""
    series.add_session("one", minimal_template, created_at=day(now, -28))
    series.add_session("two", minimal_template, created_at=day(now, -14))
    series.add_session("three", minimal_template, created_at=now, host="Hana", host_id="hana")
    return series


def names(found):
    return [(entry.name, entry.session.id) for entry in found.entries]


def test_staff_see_every_commitment_from_earlier_sessions_shared_or_not(course, steps, now):
    course.put("two", "ana", steps.committed(at=day(now, -14), share=True), "Ana")
    course.put("two", "ben", steps.committed(at=day(now, -14)), "Ben")
    found = check_in(course, session_id="three", viewer=STAFF, language="en")
    assert names(found) == [("Ana", "two"), ("Ben", "two")]
    assert found.hidden == 0 and found.staff
    assert found.entries[0].what == "Run a five-minute retro"
    assert found.entries[0].due_on == dt.date(2026, 11, 28)
    assert not found.entries[0].reported and not found.entries[0].overdue


def test_the_learner_host_sees_only_shared_commitments_and_their_own(course, steps, now):
    course.put("two", "ana", steps.committed(at=day(now, -14), share=True), "Ana")
    course.put("two", "ben", steps.committed(at=day(now, -14)), "Ben")
    course.put("two", "hana", steps.committed(at=day(now, -14)), "Hana")
    found = check_in(course, session_id="three", viewer=HOST, language="en")
    assert names(found) == [("Ana", "two"), ("Hana", "two")]
    assert found.hidden == 1 and not found.staff
    assert all(entry.learner_id != "ben" for entry in found.entries)


@pytest.mark.parametrize("viewer", [Actor("ben"), Actor(None)])
def test_anyone_but_staff_and_the_host_is_refused_the_check_in(course, viewer):
    with pytest.raises(NotPermitted) as refused:
        check_in(course, session_id="three", viewer=viewer, language="fr")
    assert refused.value.status == 403 and "hôte" in refused.value.errors["_"]


def test_the_host_of_another_session_is_refused_this_ones_check_in(course):
    with pytest.raises(NotPermitted):
        check_in(course, session_id="two", viewer=HOST, language="en")


def test_open_experiments_of_any_earlier_session_are_listed_overdue_first(course, steps, now):
    course.put("one", "old", steps.committed(at=day(now, -28)), "Olga")
    course.put("two", "new", steps.committed(at=day(now, -13)), "Nina")
    course.put("three", "today", steps.committed(), "Tom")  # this session: not a return yet
    found = check_in(course, session_id="three", viewer=STAFF, language="en")
    assert names(found) == [("Olga", "one"), ("Nina", "two")]
    assert found.entries[0].overdue and found.entries[0].due_on == dt.date(2026, 11, 14)
    assert not found.entries[1].overdue


def test_returns_since_the_previous_session_are_listed_older_ones_are_not(course, steps, now):
    course.put("one", "early", steps.returned(at=day(now, -28), on=day(now, -20)), "Eli")
    course.put("one", "late", steps.returned(at=day(now, -28), on=day(now, -3)), "Lou")
    course.put("two", "ana", steps.returned(at=day(now, -14), on=day(now, -1)), "Ana")
    found = check_in(course, session_id="three", viewer=STAFF, language="en")
    assert sorted(names(found)) == [("Ana", "two"), ("Lou", "one")]
    lou = next(entry for entry in found.entries if entry.name == "Lou")
    assert lou.reported and lou.on_time is False and not lou.overdue


def test_a_learner_without_a_commitment_is_not_listed(course, steps, now):
    from koula.state import LearnerState

    course.put("two", "card", LearnerState(deliverable=steps.committed().deliverable), "Cy")
    assert check_in(course, session_id="three", viewer=STAFF, language="en").entries == ()


def test_the_first_session_has_nothing_to_check_in(course, steps, now):
    course.put("one", "ana", steps.committed(at=day(now, -28)), "Ana")
    assert check_in(course, session_id="one", viewer=STAFF, language="en").entries == ()


def test_at_most_the_limit_is_listed_the_most_urgent_first_and_the_rest_counted(course, steps, now):
    for n in range(7):
        course.put("two", f"l{n}", steps.committed(at=day(now, -20 + n)), f"L{n}")
    found = check_in(course, session_id="three", viewer=STAFF, language="en", limit=3)
    assert [entry.name for entry in found.entries] == ["L0", "L1", "L2"]
    assert found.more == 4


def test_the_check_in_reads_only_the_earlier_sessions_once_each(course, steps, now):
    check_in(course, session_id="three", viewer=STAFF, language="en")
    assert dict(course.reads) == {"one": 1, "two": 1}


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.sampled_from(["open", "reported", "none"])),
        min_size=0,
        max_size=12,
    ),
    st.integers(1, 12),
)
def test_a_learner_host_never_sees_an_unshared_commitment_of_another(learners, limit):
    from koula.library import get_template
    from koula.state import LearnerState
    from tests.unit.use_cases.series.conftest import koula_loop
    from tests.unit.use_cases.series.memory import MemorySeries

    now = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    course = MemorySeries(now)
    template = get_template("default-koula")
    course.add_session("one", template, created_at=day(now, -14))
    course.add_session("two", template, created_at=now, host_id="hana")
    shared = set()
    for n, (share, stage) in enumerate(learners):
        learner = "hana" if n == 0 else f"l{n}"
        if stage == "none":
            course.put("one", learner, LearnerState())
            continue
        returned = day(now, -1) if stage == "reported" else None
        course.put("one", learner, koula_loop(day(now, -14), group=share, returned=returned))
        if share or learner == "hana":
            shared.add(learner)
    committed = sum(stage != "none" for _, stage in learners)
    seen = check_in(course, session_id="two", viewer=HOST, language="en", limit=limit)
    assert {entry.learner_id for entry in seen.entries} <= shared
    assert len(seen.entries) + seen.more == len(shared)
    assert len(seen.entries) + seen.more + seen.hidden == committed
    keys = [entry.sort_key() for entry in seen.entries]
    assert keys == sorted(keys)
