"""Everything the tool holds about one learner, as JSON (``koula learners export``, and the
learner page's "Download my answers" for one activity).

A learner is a platform's user id (``sub``) at an issuer: one :class:`~lti.models.LtiUser`
per registration of that issuer. For each activity they acted in, the export holds their
learner state (``docs/learner-api.md``: answers, drafts, dates, progress, the card shared
and the cards they will use), how many other learners marked their shared card, the host
hand-overs naming them, the reminders sent, the scores queued for or delivered to the
gradebook and the xAPI statements queued or sent. "Every activity" is every one reached from
the learner: their records, scores, statements and reminders, and the hand-overs of their
platform's activities that name them (a learner who only opened a page has a statement and
no record; one handed a session they never opened has a hand-over and nothing else). Past
erasures of the learner are listed by the keyed hash the audit log knows them by
(:func:`learner_key`), never by their id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from koula import (
    LearnerState,
    export_of,
    format_time,
    marks_on_card,
    names_learner,
    parse_time,
    turns_from_data,
)
from lti.bearer import read_signed, sign_data
from lti.models import Activity, LearnerErasure, LearnerRecord, LtiUser
from lti.services.activities import template_of
from lti.services.community import SHARES_OR_MARKS, card_scope
from lti.services.erased_rows import host_turn_activities
from lti.services.learner_data import ERASED_MARK, learner_key, learner_users
from lti.services.rows import one_or_none

__all__ = [
    "DATA_FILE",
    "EXPORT_VERSION",
    "LINK_SECONDS",
    "RetentionErasure",
    "activity_export",
    "data_token",
    "learner_export",
    "linked_export",
    "record_erasure",
    "retention_erasure",
]

EXPORT_VERSION = 1
DATA_FILE = "koula-my-answers.json"
LINK_SECONDS = 86400
PURPOSE = "my-data"


@dataclass(frozen=True)
class RetentionErasure:
    """The retention pass erased a learner's answers in an activity ``on`` that day,
    ``days`` after their last action there (the record keeps its last action's time)."""

    on: dt.date
    days: int


def retention_erasure(activity: Activity, user: LtiUser) -> RetentionErasure | None:
    """Return when the retention pass erased ``user``'s answers in ``activity``, or None
    (never, or the learner acted since: their record is written anew, without the mark)."""
    record = one_or_none(LearnerRecord.objects.filter(activity=activity, user=user))
    return record_erasure(record)


def record_erasure(record: LearnerRecord | None) -> RetentionErasure | None:
    """:func:`retention_erasure` of the learner's ``record`` (None: no record)."""
    erased_at = parse_time((record.state or {}).get(ERASED_MARK)) if record else None
    if record is None or erased_at is None:
        return None
    return RetentionErasure(erased_at.date(), (erased_at.date() - record.updated_at.date()).days)


def learner_export(issuer: str, sub: str, *, now: dt.datetime) -> dict[str, Any] | None:
    """Return everything held about the learner, or None when nothing is (nor was erased)."""
    users = learner_users(issuer, sub)
    erasures = _erasures(learner_key(issuer, sub))
    if not users and not erasures:
        return None
    return {
        "koula_export": EXPORT_VERSION,
        "exported_at": format_time(now),
        "issuer": issuer,
        "sub": sub,
        "accounts": [_account(user) for user in users],
        "erasures": erasures,
    }


def activity_export(activity: Activity, user: LtiUser, *, now: dt.datetime) -> dict[str, Any]:
    """Return what is held about ``user`` in ``activity`` alone (the learner page's download)."""
    record = LearnerRecord.objects.filter(activity=activity, user=user).first()
    return {
        "koula_export": EXPORT_VERSION,
        "exported_at": format_time(now),
        "issuer": user.registration.issuer,
        "sub": user.sub,
        "name": user.name,
        "email": user.email,
        "activity": _activity(activity, user, record),
    }


def data_token(activity: Activity, user: LtiUser, language: str) -> str:
    """Return the signed part of the learner page's "Download my answers" link: it opens
    ``user``'s data in ``activity`` for :data:`LINK_SECONDS` (a plain link in the platform's
    cookie-less iframe cannot send the page's bearer token)."""
    return sign_data([activity.pk, activity.deployment_id, user.pk, language], PURPOSE)


def linked_export(token: str, *, now: dt.datetime) -> tuple[dict[str, Any], str] | None:
    """Return the data a valid link names (:func:`activity_export`) and its language, or None
    for a forged or expired link, or one whose learner or activity is gone."""
    found = read_signed(token, PURPOSE, max_age=LINK_SECONDS)
    if not (isinstance(found, list) and len(found) == 4):
        return None
    activity_id, deployment_id, user_id, language = found
    activity = Activity.objects.filter(pk=activity_id, deployment_id=deployment_id).first()
    user = (
        LtiUser.objects.filter(
            pk=user_id, registration_id=activity.deployment.registration_id
        ).first()
        if activity
        else None
    )
    if activity is None or user is None:
        return None
    return activity_export(activity, user, now=now), str(language)


def _account(user: LtiUser) -> dict[str, Any]:
    records = {
        record.activity_id: record
        for record in LearnerRecord.objects.filter(user=user).select_related("activity")
    }
    reached = set(records) | set(host_turn_activities(user))
    for rows in (user.scoreoutbox_set, user.statements, user.sentreminder_set):
        reached.update(rows.values_list("activity_id", flat=True))
    activities = Activity.objects.filter(pk__in=reached).order_by("pk")
    return {
        "platform": {
            "issuer": user.registration.issuer,
            "client_id": user.registration.client_id,
            "name": user.registration.name,
        },
        "name": user.name,
        "email": user.email,
        "language": user.language,
        "reminders_turned_off_at": format_time(user.unsubscribed_at),
        "activities": [
            _activity(activity, user, records.get(activity.pk)) for activity in activities
        ],
    }


def _activity(activity: Activity, user: LtiUser, record: LearnerRecord | None) -> dict[str, Any]:
    state = LearnerState.from_data(record.state if record else {})
    scores = activity.scores.filter(user=user).order_by("pk")
    reminders = activity.reminders.filter(user=user).order_by("pk")
    return {
        "id": activity.pk,
        "title": activity.title,
        "resource_link_id": activity.resource_link_id,
        "context_id": activity.context_id,
        "last_action_at": format_time(record.updated_at) if record else None,
        **_erased(record),
        "state": export_of(state, template_of(activity)),
        "card_marked_by_others": _marks_on_card(activity, user) if state.shared_at else 0,
        "host_turns": _host_turns(activity, user),
        "reminders_sent": [
            {
                "kind": row.kind,
                "due_on": row.due_on.isoformat(),
                "sent_at": format_time(row.sent_at),
            }
            for row in reminders
        ],
        "scores": [
            {
                "status": row.status,
                "queued_at": format_time(row.created_at),
                "delivered_at": format_time(row.delivered_at),
                "score": row.payload,
            }
            for row in scores
        ],
        "statements": _statements(activity, user),
    }


def _erased(record: LearnerRecord | None) -> dict[str, Any]:
    """``erased_on`` (the day the retention pass erased the answers) and ``erasure_reason``
    (``retention``), both None when the answers were not erased."""
    erased = record_erasure(record)
    return {
        "erased_on": erased.on.isoformat() if erased else None,
        "erasure_reason": "retention" if erased else None,
    }


def _marks_on_card(activity: Activity, user: LtiUser) -> int:
    rows = LearnerRecord.objects.filter(SHARES_OR_MARKS, activity=activity).exclude(user=user)
    marks = (
        ((state or {}).get("community") or {}).get("will_use") or []
        for state in rows.values_list("state", flat=True).iterator(chunk_size=2000)
    )
    return marks_on_card(card_scope(activity), user.sub, marks)


def _host_turns(activity: Activity, user: LtiUser) -> list[dict[str, Any]]:
    return [
        {"name": turn.name, "at": format_time(turn.at)}
        for turn in turns_from_data(activity.host_turns)
        if turn.learner_id == user.sub or names_learner(turn.name, [user.name])
    ]


def _statements(activity: Activity, user: LtiUser) -> list[dict[str, Any]]:
    return [
        {
            "status": row.status,
            "queued_at": format_time(row.created_at),
            "sent_at": format_time(row.delivered_at),
            "statement": row.statement,
        }
        for row in activity.statements.filter(user=user).order_by("pk")
    ]


def _erasures(key: str) -> list[dict[str, Any]]:
    return [
        {
            "at": format_time(row.at),
            "by": row.by,
            "reason": row.reason,
            "removed": row.removed,
            "graded_activities": row.graded_activities,
        }
        for row in LearnerErasure.objects.filter(learner=key).order_by("pk")
    ]
