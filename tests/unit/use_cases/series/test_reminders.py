"""Reminders: which are due on a day, never twice, and not to who cannot or will not get them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from koula.use_cases.series.reminders import (
    DUE_GRACE_DAYS,
    OpenCommitment,
    ReminderKind,
    ReminderPass,
    link_valid_until,
    open_commitment,
    reminder_key,
    reminder_kind,
)
from koula.use_cases.series.sessions import Session

DUE = dt.date(2026, 12, 12)
OPEN = OpenCommitment(
    learner_id="ana",
    session_id="one",
    committed_on=dt.date(2026, 11, 28),
    due_on=DUE,
    email="ana@example.org",
)


def on(days_before_due: int) -> dt.date:
    return DUE - dt.timedelta(days=days_before_due)


def test_the_first_reminder_goes_two_days_before_the_due_date_by_default():
    assert reminder_kind(OPEN, on(3)) is None
    assert reminder_kind(OPEN, on(2)) is ReminderKind.BEFORE


def test_a_missed_day_still_sends_the_first_reminder_the_day_before():
    assert reminder_kind(OPEN, on(1)) is ReminderKind.BEFORE


def test_the_second_reminder_goes_on_the_due_date_or_up_to_two_days_late_and_no_later():
    assert reminder_kind(OPEN, on(0)) is ReminderKind.DUE
    assert reminder_kind(OPEN, on(-1)) is ReminderKind.DUE  # no pass, or refused, that day
    assert reminder_kind(OPEN, on(-2)) is ReminderKind.DUE
    assert reminder_kind(OPEN, on(-3)) is None


def test_a_due_reminder_sent_on_the_day_is_not_sent_again_the_days_after():
    sent = {reminder.key for reminder in ReminderPass(on(0)).reminders([OPEN])}
    assert sent
    late = ReminderPass(on(-1), already_sent=sent)
    assert list(late.reminders([OPEN])) == [] and late.sent_before == 1


def test_each_activity_chooses_how_many_days_before():
    week = replace(OPEN, days_before=7)
    assert reminder_kind(week, on(7)) is ReminderKind.BEFORE
    assert reminder_kind(week, on(8)) is None
    only_on_the_day = replace(OPEN, days_before=0)
    assert [reminder_kind(only_on_the_day, on(n)) for n in (2, 1, 0)] == [
        None,
        None,
        ReminderKind.DUE,
    ]


def test_no_reminder_on_the_day_the_learner_committed():
    short = replace(OPEN, committed_on=on(2))
    assert reminder_kind(short, on(2)) is None
    assert reminder_kind(short, on(1)) is ReminderKind.BEFORE


def test_the_key_names_learner_activity_kind_and_due_date_and_nothing_else():
    key = reminder_key("ana", "one", ReminderKind.BEFORE, DUE)
    assert key == reminder_key("ana", "one", "before", DUE)
    assert len(key) == 64 and int(key, 16) >= 0
    others = {
        reminder_key("ben", "one", "before", DUE),
        reminder_key("ana", "two", "before", DUE),
        reminder_key("ana", "one", "due", DUE),
        reminder_key("ana", "one", "before", on(-1)),
    }
    assert key not in others and len(others) == 4


def test_the_key_cannot_be_forged_by_a_separator_in_an_id():
    assert reminder_key("a:b", "c", "due", DUE) != reminder_key("a", "b:c", "due", DUE)


def test_a_pass_yields_the_due_reminders_with_their_days_left():
    later = replace(OPEN, learner_id="ben", due_on=on(-10))
    today = ReminderPass(on(2))
    (reminder,) = today.reminders([OPEN, later])
    assert reminder.kind is ReminderKind.BEFORE and reminder.days_left == 2
    assert reminder.key == reminder_key("ana", "one", "before", DUE)
    assert (today.open, today.due) == (2, 1)


def test_a_reminder_already_sent_is_not_sent_again_on_a_later_day():
    first = list(ReminderPass(on(2)).reminders([OPEN]))
    sent = {reminder.key for reminder in first}
    again = ReminderPass(on(1), already_sent=sent)
    assert list(again.reminders([OPEN])) == []
    assert again.sent_before == 1
    (due,) = ReminderPass(on(0), already_sent=sent).reminders([OPEN])
    assert due.kind is ReminderKind.DUE


def test_learners_without_an_address_are_counted_not_reminded():
    nobody = [replace(OPEN, email=None), replace(OPEN, learner_id="b", email="  ")]
    today = ReminderPass(on(0))
    assert list(today.reminders(nobody)) == []
    assert today.no_email == 2 and today.due == 0


def test_unsubscribed_learners_are_not_reminded():
    today = ReminderPass(on(0))
    assert list(today.reminders([replace(OPEN, unsubscribed=True)])) == []
    assert today.unsubscribed == 1


def test_the_return_link_of_a_reminder_works_until_fourteen_days_after_the_due_date():
    assert link_valid_until(DUE) == dt.date(2026, 12, 26)


def test_an_open_commitment_is_read_from_a_committed_state(minimal_template, steps, now):
    session = Session("one", "Retros", minimal_template, now, reminder_days=3)
    found = open_commitment(session, "ana", steps.committed(), email="a@x.org", language="fr")
    assert found is not None
    assert (found.due_on, found.committed_on, found.days_before) == (
        dt.date(2026, 12, 12),
        dt.date(2026, 11, 28),
        3,
    )
    assert (found.what, found.session_title, found.language) == (
        "Run a five-minute retro",
        "Retros",
        "fr",
    )
    assert open_commitment(session, "ana", steps.returned()) is None


@given(
    committed=st.integers(0, 30),
    window=st.integers(1, 30),
    days_before=st.integers(0, 10),
    missed=st.sets(st.integers(0, 60), max_size=20),
)
def test_daily_passes_send_each_reminder_at_most_once_and_the_due_one_on_its_first_pass(
    committed, window, days_before, missed
):
    start = dt.date(2026, 1, 1)
    commitment = replace(
        OPEN,
        committed_on=start + dt.timedelta(days=committed),
        due_on=start + dt.timedelta(days=committed + window),
        days_before=days_before,
    )
    sent: dict[str, dt.date] = {}
    kinds = []
    for offset in range(70):
        if offset in missed:
            continue  # the worker was down that day
        today = start + dt.timedelta(days=offset)
        for reminder in ReminderPass(today, already_sent=sent).reminders([commitment]):
            assert reminder.key not in sent
            sent[reminder.key] = today
            kinds.append((reminder.kind, today))
    assert len(kinds) == len(sent) <= 2
    due_day = commitment.due_on
    passes_in_grace = [
        day
        for n in range(DUE_GRACE_DAYS + 1)
        if ((day := due_day + dt.timedelta(days=n)) - start).days not in missed
    ]
    due_sent = [day for kind, day in kinds if kind is ReminderKind.DUE]
    assert due_sent == passes_in_grace[:1]  # the first pass from the due date on, if any
    for kind, day in kinds:
        assert commitment.committed_on < day <= due_day + dt.timedelta(days=DUE_GRACE_DAYS)
        if kind is ReminderKind.BEFORE:
            assert 0 < (due_day - day).days <= days_before
