"""The sessions of a series: one Koula activity each, in session order.

A :class:`Session` is what the series needs of one activity: its id, title,
template, session date (the creation time's day when the instructor set none),
host and card scope. Sessions are ordered by date, then creation time, then id
(:func:`in_order`). :func:`earlier_than` gives the sessions before one, and
:func:`what_was_committed` the short answer that names an experiment
(:func:`experiment_key`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from koula.activity import DEFAULT_REMINDER_DAYS
from koula.impact import indicator_key
from koula.state import LearnerState
from koula.template import FieldType, Part, SessionTemplate

__all__ = [
    "Session",
    "earlier_than",
    "experiment_key",
    "in_order",
    "is_open",
    "what_was_committed",
]


@dataclass(frozen=True)
class Session:
    """One session of the series, as the adapter knows it."""

    id: str
    """The adapter's id of the activity (an LTI activity, an XBlock usage)."""
    title: str
    """The activity's title ("" when it has none: the template's title is used)."""
    template: SessionTemplate
    created_at: dt.datetime
    session_date: dt.date | None = None
    """The day the instructor set for the session, if any."""
    host: str = ""
    """The host's display name ("" when unknown)."""
    host_id: str | None = None
    """The host's learner id, when the host is a learner (see :mod:`.check_in`)."""
    card_scope: str = ""
    """The scope of the activity's public ids (:func:`koula.community.public_id`)."""
    url: str | None = None
    """Where the session's page is (in Open edX its unit's ``jump_to``), when known."""
    reminder_days: int = DEFAULT_REMINDER_DAYS
    """Days before a due date that the first reminder goes (:mod:`.reminders`)."""

    @property
    def date(self) -> dt.date:
        """Return the session date, else the day (UTC) the activity was created."""
        return self.session_date or self.created_at.astimezone(dt.UTC).date()

    @property
    def minutes(self) -> int:
        """Return the session's length: the minutes of its template's agenda."""
        return self.template.total_minutes()

    def title_in(self, language: str) -> str:
        """Return the title, or the template's title in ``language`` when it has none."""
        return self.title.strip() or self.template.title.get(language)

    def order_key(self) -> tuple[dt.date, dt.datetime, str]:
        return (self.date, self.created_at.astimezone(dt.UTC), self.id)


def in_order(sessions: Iterable[Session]) -> list[Session]:
    """Return ``sessions`` in session order: by date, then creation time, then id."""
    return sorted(sessions, key=Session.order_key)


def earlier_than(sessions: Iterable[Session], session_id: str) -> list[Session] | None:
    """Return the sessions before ``session_id``, in order (None when it is not in the series)."""
    ordered = in_order(sessions)
    for index, session in enumerate(ordered):
        if session.id == session_id:
            return ordered[:index]
    return None


def is_open(state: LearnerState) -> bool:
    """Return True when the learner committed to an experiment and has not reported back."""
    return state.commitment.done_at is not None and state.return_.done_at is None


def experiment_key(template: SessionTemplate) -> str | None:
    """Return the key of the commitment's answer that names the experiment: the field feeding
    the ``action`` indicator, else the first short text (None when there is none)."""
    fields = template.fields_of(Part.COMMITMENT)
    key = indicator_key(fields, "action")
    if key is None:
        key = next((f.key for f in fields if f.type is FieldType.SHORT_TEXT), None)
    return key


def what_was_committed(
    template: SessionTemplate, values: Mapping[str, Any], *, key: str | None = ""
) -> str:
    """Return what the learner will try, the answer of :func:`experiment_key` ("" when there
    is none); pass ``key`` when it is known already (a loop over many learners)."""
    if key == "":
        key = experiment_key(template)
    value = values.get(key) if key else None
    return value.strip() if isinstance(value, str) else ""
