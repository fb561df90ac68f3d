"""The host's check-in: the experiments from earlier sessions, for the run-sheet's first phase.

:func:`check_in` lists, for one session, the commitments made in earlier
sessions of the series that are still open (reported or not, due or overdue)
or were reported back since the session before this one: who committed to
what, due when, reported or not. Course staff see every one. The learner who
hosts the session sees only those their authors chose to share with the group
(``share_with_group`` on ``commit_experiment``), and their own; the others are
only counted. Anyone else is refused (:class:`~koula.errors.NotPermitted`).
Nothing of a return but whether and when it came is shown.

The most urgent come first (the earliest due date, then the session, then the
name); at most ``limit`` are listed, the rest counted, and memory stays bounded
whatever the number of learners.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from koula.errors import NotPermitted
from koula.messages import N_, translate
from koula.use_cases.hosting import Actor
from koula.use_cases.series.port import SeriesStore
from koula.use_cases.series.sessions import Session, earlier_than, what_was_committed

__all__ = ["MAX_CHECK_IN", "CheckIn", "CheckInEntry", "check_in"]

MAX_CHECK_IN = 200
HOST_OR_STAFF_ONLY = N_("Only course staff and this session's host can see the check-in.")


@dataclass(frozen=True)
class CheckInEntry:
    """One commitment from an earlier session, as the check-in shows it."""

    learner_id: str
    name: str
    session: Session
    number: int
    """The session's place in the series, from 1."""
    what: str
    due_on: dt.date | None
    reported_at: dt.datetime | None
    """When the learner reported back (None: not yet)."""
    on_time: bool | None
    overdue: bool
    """Not reported and past its due date."""
    shared: bool
    """Whether its author chose to share it with the group."""

    @property
    def reported(self) -> bool:
        return self.reported_at is not None

    def sort_key(self) -> tuple[dt.date, int, str, str]:
        return (self.due_on or dt.date.max, self.number, self.name.casefold(), self.learner_id)


@dataclass(frozen=True)
class CheckIn:
    entries: tuple[CheckInEntry, ...]
    """The commitments the viewer may see, the most urgent first (at most the limit)."""
    more: int
    """Commitments the viewer may see beyond the limit."""
    hidden: int
    """Commitments not shared with the group, which a learner host does not see."""
    staff: bool
    """Whether the viewer is course staff (who sees every commitment)."""


def check_in(
    store: SeriesStore, *, session_id: str, viewer: Actor, language: str, limit: int = MAX_CHECK_IN
) -> CheckIn:
    """Return the check-in of ``session_id`` for ``viewer``.

    Raises NotPermitted (403) unless the viewer is course staff or the session's host
    (``Session.host_id``).
    """
    sessions = list(store.sessions())
    session = next((s for s in sessions if s.id == session_id), None)
    host_id = session.host_id if session is not None else None
    if not (viewer.staff or (host_id is not None and host_id == viewer.learner_id)):
        raise NotPermitted({"_": translate(language, HOST_OR_STAFF_ONLY)})
    earlier = earlier_than(sessions, session_id) or []
    since = earlier[-1].date if earlier else dt.date.min
    today = store.now().astimezone(dt.UTC).date()
    hidden = 0
    visible = 0

    def entries() -> Iterator[CheckInEntry]:
        nonlocal hidden, visible
        for number, earlier_session in enumerate(earlier, start=1):
            for entry in _entries(store, earlier_session, number, since, today):
                if viewer.staff or entry.shared or entry.learner_id == viewer.learner_id:
                    visible += 1
                    yield entry
                else:
                    hidden += 1

    kept = heapq.nsmallest(limit, entries(), key=CheckInEntry.sort_key)
    return CheckIn(tuple(kept), visible - len(kept), hidden, viewer.staff)


def _entries(
    store: SeriesStore, session: Session, number: int, since: dt.date, today: dt.date
) -> Iterator[CheckInEntry]:
    for learner_id, name, state in store.members(session.id, committed=True):
        commitment, return_ = state.commitment, state.return_
        if commitment.done_at is None:
            continue
        reported_at = return_.done_at
        if reported_at is not None and reported_at.astimezone(dt.UTC).date() < since:
            continue
        due_on = commitment.due_on
        yield CheckInEntry(
            learner_id=learner_id,
            name=name or learner_id,
            session=session,
            number=number,
            what=what_was_committed(session.template, commitment.values),
            due_on=due_on,
            reported_at=reported_at,
            on_time=return_.on_time,
            overdue=reported_at is None and due_on is not None and today > due_on,
            shared=state.share_commitment,
        )
