"""A course's series in the tool: the Koula activities of one deployment and context.

:class:`ActivitySeries` is the core's :class:`koula.SeriesStore` over the tool's rows:
the sessions are the configured activities of the deployment and context of one
activity (the activity alone when its launch named no context), a session's id is the
activity's primary key as text, and a learner's id is their platform user id (``sub``,
unique within the registration that every activity of a deployment shares). The core
orders the sessions by the date staff set (:attr:`lti.models.Activity.session_date`),
then creation time.

Every query starts from the deployment, so a series never reaches another tenant's rows.
A session's members are read as the reports read an activity's (:mod:`lti.services.records`:
one query per session, read in chunks, states decoded with orjson), so the series report of
20 sessions x 5,000 learners takes under 2 s on PostgreSQL
(``benchmarks/lti_series_report.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import transaction

from koula import (
    Member,
    Session,
    SessionTemplate,
    activity_template,
    turns_from_data,
)
from lti.models import Activity, LearnerRecord, LtiUser
from lti.services.activities import activity_settings
from lti.services.raw_rows import Columns, column, table
from lti.services.records import learner_rows
from lti.services.rows import fetch_all

__all__ = ["ActivitySeries", "LearnerRecords", "learner_records", "series_activities", "session_of"]

ROWS_PER_READ = 2000


def series_activities(activity: Activity) -> Any:
    """The activities of ``activity``'s series (a queryset), configured ones only."""
    found = Activity.objects.filter(deployment_id=activity.deployment_id, configured=True)
    if activity.context_id:
        return found.filter(context_id=activity.context_id)
    return found.filter(pk=activity.pk)


@dataclass(frozen=True)
class LearnerRecords:
    """A learner's rows in an activity's series: ``own``, their record in the activity (None
    before their first action), and ``others``, their states in its other sessions by
    activity id."""

    own: LearnerRecord | None
    others: dict[int, dict[str, Any]]


def learner_records(activity: Activity, user: LtiUser) -> LearnerRecords:
    """``user``'s rows in the series of ``activity`` (:func:`series_activities`, and the
    activity itself), read in one statement for the learner's page."""
    records = _sql().records
    if activity.context_id:
        params = [user.pk, activity.deployment_id, activity.pk, activity.context_id]
        rows = fetch_all(_sql().series_records, params)
    else:  # a series of the activity alone
        rows = fetch_all(_sql().own_record, [activity.pk, user.pk])
    own, others = None, {}
    for row in rows:
        record = records.instance(row)
        if record.activity_id == activity.pk:
            own = record
        else:
            others[record.activity_id] = record.state
    return LearnerRecords(own, others)


@dataclass(frozen=True)
class _Statements:
    """The learner page's statements, written once (:mod:`lti.services.raw_rows`)."""

    records: Columns[LearnerRecord]
    series_records: str
    own_record: str


@cache
def _sql() -> _Statements:
    records = Columns(LearnerRecord, "r")
    activity, user = column(LearnerRecord, "activity"), column(LearnerRecord, "user")
    select = f"SELECT {records.sql} FROM {table(LearnerRecord)} r"
    return _Statements(
        records=records,
        series_records=(
            f"{select} JOIN {table(Activity)} a ON a.id = r.{activity} "
            f"WHERE r.{user} = %s AND a.{column(Activity, 'deployment')} = %s AND (a.id = %s "
            f"OR (a.{column(Activity, 'configured')} AND a.{column(Activity, 'context_id')} = %s))"
        ),
        own_record=f"{select} WHERE r.{activity} = %s AND r.{user} = %s",
    )


def session_of(activity: Activity) -> Session | None:
    """Return ``activity`` as a session of its series (None when it has no valid template)."""
    settings = activity_settings(activity)
    try:
        template: SessionTemplate = activity_template(settings)
    except Exception:  # the core's KoulaError: a template no longer valid is left out
        return None
    turns = turns_from_data(activity.host_turns)
    return Session(
        id=str(activity.pk),
        title=activity.title,
        template=template,
        created_at=activity.created_at,
        session_date=activity.session_date,
        host=activity.next_host,
        host_id=turns[-1].learner_id if turns else None,
        card_scope=f"koula-card:{activity.pk}",
        reminder_days=settings.reminder_days_before(),
    )


class ActivitySeries:
    """The :class:`koula.SeriesStore` of ``activity``'s series, read now (``now``: UTC)."""

    def __init__(self, activity: Activity, *, now: dt.datetime | None = None) -> None:
        self.activity = activity
        self.clock = now or dt.datetime.now(dt.UTC)
        self.rows: dict[str, Activity] = {}
        self.by_id: dict[str, Session] = {}
        for row in series_activities(activity).order_by("pk"):
            session = session_of(row)
            if session is not None:
                self.rows[session.id], self.by_id[session.id] = row, session

    def sessions(self) -> Iterator[Session]:
        return iter(list(self.by_id.values()))

    def session(self, session_id: str) -> Session | None:
        return self.by_id.get(session_id)

    def activity_of(self, session_id: str) -> Activity | None:
        return self.rows.get(session_id)

    def members(self, session_id: str, *, committed: bool = False) -> Iterator[Member]:
        if session_id not in self.rows:
            return
        records = LearnerRecord.objects.filter(activity_id=int(session_id))
        if committed:
            records = records.filter(state__has_key="commitment")
        yield from learner_rows(records)

    def learner_states(
        self, learner_id: str, session_ids: Collection[str]
    ) -> dict[str, dict[str, Any]]:
        wanted = [int(i) for i in session_ids if i in self.rows]
        rows = LearnerRecord.objects.filter(
            activity_id__in=wanted,
            user__sub=learner_id,
            user__registration_id=self._registration_id(),
        ).values_list("activity_id", "state")
        return {str(activity_id): state for activity_id, state in rows}

    def save_state(self, session_id: str, learner_id: str, stored: dict[str, Any]) -> None:
        """Store the state; call it in the transaction that read the state for update."""
        user = LtiUser.objects.get(registration_id=self._registration_id(), sub=learner_id)
        LearnerRecord.objects.update_or_create(
            activity_id=int(session_id), user=user, defaults={"state": stored}
        )

    def now(self) -> dt.datetime:
        return self.clock

    def lock_learner(self, learner_id: str, session_id: str) -> None:
        """Lock the learner's row in ``session_id`` for this transaction (see the port)."""
        assert transaction.get_connection().in_atomic_block
        list(
            LearnerRecord.objects.select_for_update(of=("self",))
            .filter(activity_id=int(session_id), user__sub=learner_id)
            .filter(user__registration_id=self._registration_id())
            .values_list("pk")
        )

    def _registration_id(self) -> int:
        return int(self.activity.deployment.registration_id)
