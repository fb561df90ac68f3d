import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koula.state import LearnerState, PartState, format_time, parse_time, replaced
from koula.template import Part

WHEN = dt.datetime(2026, 11, 28, 9, 30, 15, 123000, tzinfo=dt.UTC)


def full_state() -> LearnerState:
    return LearnerState(
        deliverable=PartState({"practice": "Pairs"}, {"practice": "Pairs, v2"}, WHEN),
        commitment=PartState({"action": "Try it"}, None, WHEN, dt.date(2026, 12, 12)),
        return_=PartState({}, {"what_happened": "Half typed"}),
        volunteered_at=WHEN,
        shared_at=WHEN,
        will_use=("a1b2c3d4e5f60718",),
    )


def test_a_state_read_back_from_its_data_equals_the_state_written():
    state = full_state()
    assert LearnerState.from_data(state.to_data()) == state
    assert LearnerState.from_data({}) == LearnerState() == LearnerState.from_data(None)


def test_a_state_read_from_data_stays_immutable():
    state = LearnerState.from_data(full_state().to_data())
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.shared_at = None  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.deliverable.done_at = None  # type: ignore[misc]


def test_times_are_read_in_utc_whatever_their_offset():
    assert parse_time("2026-11-28T09:30:15.123Z") == WHEN
    assert parse_time("2026-11-28T10:30:15.123+01:00") == WHEN
    assert parse_time("2026-11-28T10:30:15.123+01:00").tzinfo is dt.UTC
    assert parse_time(None) is None and parse_time("") is None


def test_the_choice_to_share_a_commitment_survives_a_round_trip_and_defaults_to_false():
    shared = dataclasses.replace(full_state(), share_commitment=True)
    assert shared.to_data()["commitment"]["share_with_group"] is True
    assert LearnerState.from_data(shared.to_data()) == shared
    assert LearnerState.from_data(full_state().to_data()).share_commitment is False
    older = full_state().to_data()
    del older["commitment"]["share_with_group"]  # a state stored before the flag existed
    assert LearnerState.from_data(older).share_commitment is False
    assert (
        LearnerState.from_data({"commitment": {"share_with_group": "yes"}}).share_commitment
        is False
    )


@given(
    st.datetimes(
        min_value=dt.datetime(1000, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.timezones(),
    )
)
def test_a_time_is_written_in_utc_to_the_millisecond_and_read_back(moment):
    written = format_time(moment)
    utc = moment.astimezone(dt.UTC)
    assert written == utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
    assert parse_time(written) == utc.replace(microsecond=utc.microsecond // 1000 * 1000)


MOMENT = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("made", "changes"),
    [
        (PartState(), {"draft": {"problem": "late reviews"}}),
        (PartState(values={"a": "b"}, done_at=MOMENT), {"due_on": dt.date(2026, 12, 19)}),
        (LearnerState(), {"volunteered_at": MOMENT, "will_use": ("card-1",)}),
        (LearnerState(shared_at=MOMENT), {"deliverable": PartState(done_at=MOMENT)}),
        (LearnerState(), {}),
    ],
)
def test_replaced_makes_what_dataclasses_replace_makes(made, changes):
    copy = replaced(made, **changes)
    assert copy == dataclasses.replace(made, **changes)
    assert type(copy) is type(made) and copy is not made
    assert made == dataclasses.replace(made)  # the original is left as it was


def test_replaced_refuses_a_name_that_is_not_a_field():
    with pytest.raises(TypeError, match="not fields of PartState"):
        replaced(PartState(), done=True)


@pytest.mark.parametrize("name", ["deliverable", "commitment", "return"])
def test_a_part_is_found_by_its_member_or_its_name(name):
    state = LearnerState(
        deliverable=PartState(draft={"a": "1"}),
        commitment=PartState(draft={"b": "2"}),
        return_=PartState(draft={"c": "3"}),
    )
    assert state.part(name) is state.part(Part(name))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        state.part("host")  # type: ignore[arg-type]
