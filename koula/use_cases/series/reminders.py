"""Reminder e-mails that bring learners back to report: which are due on a day, and to whom.

An open experiment (committed, not reported back) gets at most two reminders:

* ``before``: from ``days_before`` days before its due date (2 unless the
  activity says otherwise, :attr:`~.sessions.Session.reminder_days`) until the
  day before it, so a pass that missed a day still sends it the next; never on
  the day the learner committed, and never when ``days_before`` is 0;
* ``due``: on the due date, or up to :data:`DUE_GRACE_DAYS` days after it when
  it has not gone yet (no pass that day, or the mail server refused it: its key
  was given back), then saying the return was due; later, staff can still nudge.

Each reminder has a stable idempotency key (learner, session, kind, due date):
a pass skips the keys in ``already_sent``, and an adapter that stores each key
it sends under a unique constraint never sends one twice, even with two passes
at once. A learner without a usable e-mail address cannot be reminded and an
unsubscribed one is not: a pass counts both (:class:`ReminderPass`), and
:func:`~.reach.reach` counts them among all open experiments for the staff view.
The reminder's one-click return link is valid until :data:`RETURN_LINK_DAYS`
after the due date (:func:`link_valid_until`). The e-mail's words are drawn by
``koula_ui.reminder_mail``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from koula.activity import DEFAULT_REMINDER_DAYS
from koula.state import LearnerState
from koula.use_cases.series.reach import has_address
from koula.use_cases.series.sessions import Session, is_open, what_was_committed

__all__ = [
    "DUE_GRACE_DAYS",
    "RETURN_LINK_DAYS",
    "OpenCommitment",
    "Reminder",
    "ReminderKind",
    "ReminderPass",
    "link_valid_until",
    "open_commitment",
    "reminder_key",
    "reminder_kind",
]

RETURN_LINK_DAYS = 14
DUE_GRACE_DAYS = 2
"""Days after the due date that a ``due`` reminder not sent yet still goes."""


class ReminderKind(StrEnum):
    BEFORE = "before"
    """Some days before the due date."""
    DUE = "due"
    """On the due date."""


@dataclass(frozen=True)
class OpenCommitment:
    """One learner's open experiment in one session, with what a reminder needs."""

    learner_id: str
    session_id: str
    committed_on: dt.date
    due_on: dt.date
    email: str | None = None
    language: str = "en"
    unsubscribed: bool = False
    days_before: int = DEFAULT_REMINDER_DAYS
    name: str = ""
    what: str = ""
    """What the learner will try (:func:`~.sessions.what_was_committed`)."""
    session_title: str = ""
    session_date: dt.date | None = None


def open_commitment(
    session: Session,
    learner_id: str,
    state: LearnerState,
    *,
    name: str = "",
    email: str | None = None,
    language: str = "en",
    unsubscribed: bool = False,
) -> OpenCommitment | None:
    """Return the learner's open experiment in ``session`` (None when none is open or due)."""
    commitment = state.commitment
    if not is_open(state) or commitment.due_on is None or commitment.done_at is None:
        return None
    return OpenCommitment(
        learner_id=learner_id,
        session_id=session.id,
        committed_on=commitment.done_at.astimezone(dt.UTC).date(),
        due_on=commitment.due_on,
        email=email,
        language=language,
        unsubscribed=unsubscribed,
        days_before=session.reminder_days,
        name=name,
        what=what_was_committed(session.template, commitment.values),
        session_title=session.title_in(language),
        session_date=session.date,
    )


def reminder_kind(commitment: OpenCommitment, today: dt.date) -> ReminderKind | None:
    """Return the reminder ``commitment`` is due on ``today`` (None: none), by the rules above."""
    if 0 <= (today - commitment.due_on).days <= DUE_GRACE_DAYS:
        return ReminderKind.DUE
    days_left = (commitment.due_on - today).days
    if 0 < days_left <= commitment.days_before and today > commitment.committed_on:
        return ReminderKind.BEFORE
    return None


def reminder_key(learner_id: str, session_id: str, kind: str, due_on: dt.date) -> str:
    """Return the idempotency key of a reminder: 64 hex digits, the same for the same four."""
    parts = ["koula-reminder", learner_id, session_id, str(kind), due_on.isoformat()]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def link_valid_until(due_on: dt.date) -> dt.date:
    """Return the last day a reminder's one-click return link works."""
    return due_on + dt.timedelta(days=RETURN_LINK_DAYS)


@dataclass(frozen=True)
class Reminder:
    """A reminder to send now."""

    commitment: OpenCommitment
    kind: ReminderKind
    today: dt.date

    @property
    def key(self) -> str:
        c = self.commitment
        return reminder_key(c.learner_id, c.session_id, self.kind, c.due_on)

    @property
    def days_left(self) -> int:
        return (self.commitment.due_on - self.today).days


@dataclass
class ReminderPass:
    """One pass on ``today``: :meth:`reminders` yields the reminders to send, and counts."""

    today: dt.date
    already_sent: Container[str] = frozenset()
    open: int = 0
    """Open experiments seen."""
    due: int = 0
    """Reminders yielded (to send now)."""
    no_email: int = 0
    """Reminders due now for learners without a usable address (not sent)."""
    unsubscribed: int = 0
    """Reminders due now for learners who unsubscribed (not sent)."""
    sent_before: int = 0
    """Reminders due now whose key was already sent."""

    def reminders(self, commitments: Iterable[OpenCommitment]) -> Iterator[Reminder]:
        """Yield the reminders due on ``today`` among ``commitments`` whose key is not in
        ``already_sent`` (memory stays flat: nothing is kept per commitment)."""
        for commitment in commitments:
            self.open += 1
            kind = reminder_kind(commitment, self.today)
            if kind is None:
                continue
            if commitment.unsubscribed:
                self.unsubscribed += 1
                continue
            if not has_address(commitment.email):
                self.no_email += 1
                continue
            reminder = Reminder(commitment, kind, self.today)
            if reminder.key in self.already_sent:
                self.sent_before += 1
                continue
            self.due += 1
            yield reminder
