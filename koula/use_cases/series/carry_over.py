"""Carry-over: a learner's open experiments from earlier sessions, and their return from later.

On any session's page, a learner who committed to an experiment in an earlier
session of the series and has not reported back sees it first, with that
session's return form. :func:`carried_over` lists those experiments, oldest
session first; :func:`submit_earlier_return` takes the return (or a draft of
it) typed on the later page and applies it to the earlier session's state with
the learner action ``submit_return`` (``save_draft`` for a draft), through
:func:`koula.outcome.perform`, so every rule of the contract holds there.

It refuses, with :class:`~koula.errors.BadRequest` (400), a session that is
not earlier than the page's in the same series, and with
:class:`~koula.errors.Conflict` (409) one where the learner has no open
experiment (never committed, or already reported back). The adapter stores
nothing in either case. Otherwise the earlier state is saved, refused answers
kept as its draft, and the outcome says what to answer and the progress to
send to the earlier activity's gradebook (LTI: its line item).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from koula.errors import BadRequest, Conflict
from koula.messages import N_, translate
from koula.outcome import Outcome, perform
from koula.progress import learner_state_data
from koula.state import LearnerState, format_time
from koula.template import Part
from koula.use_cases.series.port import SeriesStore
from koula.use_cases.series.sessions import Session, earlier_than, is_open, what_was_committed

__all__ = ["CarriedExperiment", "EarlierReturn", "carried_over", "submit_earlier_return"]

NOT_EARLIER = N_(
    "This session is not an earlier session of this course's series. Reload the page to see"
    " the experiments you can report on here."
)
NOT_OPEN = N_(
    "There is no open experiment to report on in that session: you have already reported"
    " back, or never committed. Reload the page."
)


@dataclass(frozen=True)
class CarriedExperiment:
    """One open experiment from an earlier session, with what its return form needs."""

    session: Session
    number: int
    """The session's place in the series, from 1."""
    what: str
    """What the learner will try (:func:`~.sessions.what_was_committed`)."""
    committed_at: dt.datetime
    due_on: dt.date | None
    overdue: bool
    """True once the due date has passed (a late return is still taken)."""
    state: LearnerState
    """The learner's state in that session (its return draft, if any)."""

    def to_data(self, language: str) -> dict[str, Any]:
        """Return it as JSON for the page's script: the session, the experiment, the state."""
        return {
            "session": {
                "id": self.session.id,
                "number": self.number,
                "title": self.session.title_in(language),
                "date": self.session.date.isoformat(),
                "url": self.session.url,
            },
            "what": self.what,
            "committed_at": format_time(self.committed_at),
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "overdue": self.overdue,
            "state": learner_state_data(self.session.template, self.state),
        }


@dataclass(frozen=True)
class EarlierReturn:
    """What :func:`submit_earlier_return` did: in which session, and the action's outcome."""

    session: Session
    outcome: Outcome
    """Status and body to answer; ``progress`` is the earlier session's, when it changed."""


def carried_over(
    store: SeriesStore, *, learner_id: str, session_id: str
) -> list[CarriedExperiment]:
    """Return the learner's open experiments from sessions before ``session_id``, oldest
    session first (none when ``session_id`` is not in the series)."""
    earlier = earlier_than(store.sessions(), session_id)
    if not earlier:
        return []
    stored = store.learner_states(learner_id, [session.id for session in earlier])
    today = store.now().astimezone(dt.UTC).date()
    found = []
    for number, session in enumerate(earlier, start=1):
        state = LearnerState.from_data(stored.get(session.id))
        if not is_open(state) or Part.RETURN not in session.template.parts():
            continue
        committed_at, due_on = state.commitment.done_at, state.commitment.due_on
        assert committed_at is not None  # is_open
        found.append(
            CarriedExperiment(
                session=session,
                number=number,
                what=what_was_committed(session.template, state.commitment.values),
                committed_at=committed_at,
                due_on=due_on,
                overdue=due_on is not None and today > due_on,
                state=state,
            )
        )
    return found


def submit_earlier_return(
    store: SeriesStore,
    body: object,
    *,
    learner_id: str,
    session_id: str,
    earlier_id: str,
    language: str,
    draft: bool = False,
) -> EarlierReturn:
    """Apply a return typed on ``session_id``'s page to the earlier session ``earlier_id``.

    ``body`` is ``submit_return``'s (``{"values": {...}}``); with ``draft`` the values are
    saved as the return's draft instead. Returns the session and the outcome (stored
    already). Raises BadRequest (400) when ``earlier_id`` is not a session before
    ``session_id`` in the series, Conflict (409) when the learner has no open experiment
    there; nothing is stored then.
    """
    earlier = {session.id: session for session in earlier_than(store.sessions(), session_id) or ()}
    session = earlier.get(earlier_id)
    if session is None:
        raise BadRequest({"session": translate(language, NOT_EARLIER)})
    stored = store.learner_states(learner_id, [earlier_id]).get(earlier_id)
    if not is_open(LearnerState.from_data(stored)):
        raise Conflict({"_": translate(language, NOT_OPEN)})
    values = body.get("values", {}) if isinstance(body, Mapping) else body
    action, request = (
        ("save_draft", {"part": Part.RETURN.value, "values": values})
        if draft
        else ("submit_return", body)
    )
    outcome = perform(
        action,
        request,
        template=session.template,
        stored=stored,
        now=store.now(),
        language=language,
    )
    store.save_state(earlier_id, learner_id, outcome.stored)
    return EarlierReturn(session, outcome)
