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
from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple

from django.conf import settings
from django.db import transaction

from koula import Progress, format_time, parse_time
from koula.messages import gettext_for
from koula_ui.strings import format_date
from lti import wakeup
from lti.models import Activity, LearnerErasure, LearnerRecord, LtiUser, ScoreOutbox
from lti.services.learner_data import erasures_by_request, partial_scores_held
from lti.services.raw_rows import column, database, driver_cursor, insert, table

__all__ = ["ScoreHistory", "history_of", "history_sql", "queue_score", "score_comment"]


class ScoreHistory(NamedTuple):
    """What a learner action's first statement read for its score, beside the learner's
    record (:func:`history_sql`, read by :func:`lti.services.grants.granted_record`)."""

    erasures: bool
    """Whether the learner's platform holds erasures on request (of anyone): only then are
    the learner's read, for a partial score."""
    last_read: bool
    """Whether ``last`` was read: on SQLite, whose write transaction holds the database
    from its first statement. On PostgreSQL a statement sees the rows committed when it
    began, not those committed while it waited for the record's lock, so the last score
    is read by a statement of its own, once the lock is held."""
    last: str | None
    """The learner's newest score's timestamp (None: no score yet)."""


_NOTHING_READ = ScoreHistory(erasures=True, last_read=False, last=None)
"""What a caller that read nothing yet knows: the last score and the erasures to read."""


@cache
def history_sql(vendor: str) -> str:
    """What :class:`ScoreHistory` reads, as columns of a SELECT in which ``a`` is the
    activity, ``u`` the learner and ``r`` their registration."""
    erasures = (
        f"EXISTS (SELECT 1 FROM {table(LearnerErasure)} e "
        f"WHERE e.{column(LearnerErasure, 'registration')} = r.id "
        f"AND e.{column(LearnerErasure, 'reason')} = '{LearnerErasure.Reason.REQUEST.value}')"
    )
    if vendor != "sqlite":
        return erasures
    payload = f"s.{column(ScoreOutbox, 'payload')}"
    return (
        f"{erasures}, (SELECT json_extract({payload}, '$.timestamp') "
        f"FROM {table(ScoreOutbox)} s WHERE s.{column(ScoreOutbox, 'activity')} = a.id "
        f"AND s.{column(ScoreOutbox, 'user')} = u.id ORDER BY s.id DESC LIMIT 1)"
    )


def history_of(values: Sequence[Any]) -> ScoreHistory:
    """The :class:`ScoreHistory` of the columns of :func:`history_sql`."""
    if len(values) == 1:
        return ScoreHistory(bool(values[0]), last_read=False, last=None)
    return ScoreHistory(bool(values[0]), last_read=True, last=values[1])


def queue_score(
    activity: Activity,
    user: LtiUser,
    progress: Progress,
    language: str,
    *,
    state: dict[str, Any] | None = None,
    history: ScoreHistory | None = None,
) -> int | None:
    """Write the learner's newest score to the outbox (call inside the action's transaction);
    return its row's key, or None when it is held back (a partial score of a learner erased
    on request where a score had gone to their gradebook before).

    ``state`` is the learner's stored state after the action, when the caller has it (it is
    read from the database otherwise); ``history`` what the action read already of the
    learner's scores and erasures (read here otherwise)."""
    known = history or _NOTHING_READ
    previous, erasures = _history(
        activity, user, last=not known.last_read, erasures=progress.score < 1 and known.erasures
    )
    if known.last_read:
        previous = parse_time(known.last)
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
    activity: Activity, user: LtiUser, *, last: bool, erasures: bool
) -> tuple[dt.datetime | None, list[Any]]:
    """With ``last``, when the learner's newest score in ``activity`` was given, if they have
    one; with ``erasures``, the rows of :func:`~lti.services.learner_data.erasures_by_request`
    (both read in one statement, none without either)."""
    parts: list[str] = []
    params: list[Any] = []
    if last:
        parts.append(_last_sql(database().vendor))
        params += [activity.pk, user.pk]
    if erasures:
        erased, more = erasures_by_request(user)
        parts.append(erased)
        params += more
    if not parts:
        return None, []
    sql = " UNION ALL ".join(parts)
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
