"""Scores for the gradebook, as AGS wants them, queued in the outbox.

``timestamp`` has millisecond precision and strictly increases per learner
and line item, even for two actions in the same millisecond. The comment
tells the gradebook reader where the learner stands (for example when the
return is due). A learner erased on request who launched again is sent no partial
score in an activity where a score had gone to their gradebook before: Koula no longer
knows the grade it sent, and will not lower it (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction

from koula import Progress, format_time, parse_time
from koula.messages import gettext_for
from koula_ui.strings import format_date
from lti import wakeup
from lti.models import Activity, LearnerRecord, LtiUser, ScoreOutbox
from lti.services.learner_data import erasures_by_request, partial_scores_held
from lti.services.raw_rows import column, database, driver_cursor, insert, table

__all__ = ["queue_score", "score_comment"]


def queue_score(
    activity: Activity,
    user: LtiUser,
    progress: Progress,
    language: str,
    *,
    state: dict[str, Any] | None = None,
) -> int | None:
    """Write the learner's newest score to the outbox (call inside the action's transaction);
    return its row's key, or None when it is held back (a partial score of a learner erased
    on request where a score had gone to their gradebook before).

    ``state`` is the learner's stored state after the action, when the caller has it (it is
    read from the database otherwise)."""
    previous, erasures = _history(activity, user, erasures=progress.score < 1)
    if erasures and partial_scores_held(erasures, activity):
        return None
    now = dt.datetime.now(dt.UTC)
    moment = now if previous is None or now > previous else previous + dt.timedelta(milliseconds=1)
    maximum = activity.score_maximum
    payload: dict[str, Any] = {
        "userId": user.sub,
        "scoreGiven": round(progress.score * maximum, 4),
        "scoreMaximum": maximum,
        "activityProgress": progress.activity,
        "gradingProgress": "FullyGraded",
        "timestamp": format_time(moment),
        "comment": score_comment(activity, user, progress, language, state=state),
    }
    pk = insert(
        ScoreOutbox, activity_id=activity.pk, user_id=user.pk, payload=payload, next_attempt_at=now
    )
    if settings.KOULA_WORKER == "celery":  # the insert sends no post_save (lti.wakeup)
        transaction.on_commit(wakeup.wake_workers)
    return pk


def _history(
    activity: Activity, user: LtiUser, *, erasures: bool
) -> tuple[dt.datetime | None, list[Any]]:
    """When the learner's newest score in ``activity`` was given, if they have one; with
    ``erasures``, the rows of :func:`~lti.services.learner_data.erasures_by_request` too (read
    in the same statement)."""
    sql, params = _last_sql(database().vendor), [activity.pk, user.pk]
    if erasures:
        erased, more = erasures_by_request(user)
        sql, params = f"{sql} UNION ALL {erased}", [*params, *more]
    with driver_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    last = [row for row in rows if row[0] == 0]
    previous = parse_time(json.loads(last[0][2])) if last and last[0][2] is not None else None
    return previous, [row for row in rows if row[0] == 1]


@cache
def _last_sql(vendor: str) -> str:
    """The learner's newest score (a ``0``, its key, then its timestamp as JSON text, not
    the whole payload), as one part of a UNION."""
    payload = f"s.{column(ScoreOutbox, 'payload')}"
    timestamp = (
        f"{payload} -> 'timestamp'"  # jsonb, as the erasures' column it is united with
        if vendor == "postgresql"
        else f"json_quote(json_extract({payload}, '$.timestamp'))"
    )
    return (
        f"SELECT 0, s.* FROM (SELECT s.id, {timestamp} FROM {table(ScoreOutbox)} s "
        f"WHERE s.{column(ScoreOutbox, 'activity')} = %s "
        f"AND s.{column(ScoreOutbox, 'user')} = %s ORDER BY s.id DESC LIMIT 1) s"
    )


def score_comment(
    activity: Activity,
    user: LtiUser,
    progress: Progress,
    language: str,
    *,
    state: dict[str, Any] | None = None,
) -> str:
    _ = gettext_for(language)
    if progress.activity == "Completed":
        return _("Loop closed: practice card, experiment and return are in.")
    if state is None:
        record = LearnerRecord.objects.filter(activity=activity, user=user).first()
        state = record.state if record else {}
    due = (state.get("commitment") or {}).get("due_on")
    if progress.activity == "Submitted" and due:
        return _("Committed to an experiment; return due on {date}.").format(
            date=format_date(due, _)
        )
    return _("In progress: {percent} percent of the loop done.").format(
        percent=round(progress.completion * 100)
    )
