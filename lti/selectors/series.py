"""What the staff view reads of the course's series: the reminders' reach and who is late.

:func:`series_reach` counts the open experiments (committed, not reported back) of
every session of the series, and among them the learners reminders cannot reach: no
usable e-mail address from the launch (:func:`koula.has_address`), or unsubscribed
(:func:`koula.reach`). :func:`overdue_learners` counts this session's learners whose
experiment is past its due date and not reported: staff can nudge them. Both read
one query in chunks, and only the records with a commitment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from koula import LearnerState, Reach, is_open, reach
from lti.models import Activity, LearnerRecord
from lti.services.series import ROWS_PER_READ, series_activities

__all__ = ["context_series", "overdue_learners", "series_reach"]


@dataclass(frozen=True)
class _Contact:
    email: str | None
    unsubscribed: bool


def series_reach(activity: Activity) -> Reach:
    """Return who reminders reach among the open experiments of ``activity``'s series."""
    return reach(_open_contacts(activity))


def _open_contacts(activity: Activity) -> Iterator[_Contact]:
    rows = (
        LearnerRecord.objects.filter(activity__in=series_activities(activity))
        .filter(state__has_key="commitment")
        .order_by("pk")
        .values_list("state", "user__email", "user__unsubscribed_at")
    )
    for state, email, unsubscribed_at in rows.iterator(chunk_size=ROWS_PER_READ):
        if is_open(LearnerState.from_data(state)):
            yield _Contact(email or None, unsubscribed_at is not None)


def overdue_learners(activity: Activity, *, today: dt.date) -> int:
    """Return how many learners of ``activity`` have an open experiment past its due date."""
    rows = (
        LearnerRecord.objects.filter(activity=activity, state__has_key="commitment")
        .order_by("pk")
        .values_list("state", flat=True)
    )
    late = 0
    for state in rows.iterator(chunk_size=ROWS_PER_READ):
        found = LearnerState.from_data(state)
        due_on = found.commitment.due_on
        if is_open(found) and due_on is not None and due_on < today:
            late += 1
    return late


def context_series(context_id: str, *, deployment_id: str = "", issuer: str = "") -> list[Activity]:
    """Return one configured activity of each series named ``context_id`` (a course's context
    id, in each deployment that has one), narrowed to ``deployment_id`` and ``issuer`` when
    given: the command line's ``koula report export --series`` wants exactly one."""
    found = Activity.objects.filter(context_id=context_id, configured=True)
    if deployment_id:
        found = found.filter(deployment__deployment_id=deployment_id)
    if issuer:
        found = found.filter(deployment__registration__issuer=issuer)
    first: dict[int, Activity] = {}
    for activity in found.select_related("deployment__registration").order_by("pk"):
        first.setdefault(activity.deployment_id, activity)
    return list(first.values())
