"""Erasing a learner's data: on request (``koula learners erase``) and when it has been kept
``KOULA_RETENTION_DAYS`` after their last action in an activity (the worker's retention pass).

Both erase a learner's record in one activity the same way: its state keeps what the reports
count and nothing the learner wrote (:func:`koula.personal_data.erased_state`); the xAPI
statements not sent yet are dropped and the sent ones' copies lose their text; the
activity's prepared CSV exports (which hold the answers) are deleted.

On request (:func:`erase_learner`: the person asked to be forgotten), each record, with the
reminders sent and the scores of that activity, is handed to a new anonymous account of the
same platform (a ``sub`` of :data:`ERASED_PREFIX` and random digits, no name, no e-mail), so
the report's figures stay and nothing links them to the person: scores not delivered yet are
dropped, the delivered ones keep only the score and its day, the reminders get a random key,
the statements' copies a random id; the host hand-overs naming the learner in any activity of
the platform name a neutral label; last, the learner's accounts (name, e-mail, language) go.
A learner erased on request who launches again is a new learner. The audit row lists the
activities where a score had gone to their gradebook (delivered, or tried and perhaps
received); in those only, :func:`partial_scores_held` tells the score queue to send no
partial score for them, so as not to lower the grade the gradebook kept (docs/privacy.md).

The retention pass (:func:`erase_expired`) erases answers of learners who stay in the course:
the record stays theirs (erased in place and marked with :data:`ERASED_MARK`), so a later
action goes on from the same progress, sends no lower score and counts once in the report.

Each erasure is one transaction, and erasing again finds nothing to do. The audit log
(:class:`~lti.models.LearnerErasure`) records who asked, when and what was removed, naming
the learner by a keyed hash only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from koula import (
    LearnerState,
    erased_label,
    erased_state,
    format_time,
)
from lti.models import (
    Activity,
    LearnerErasure,
    LearnerRecord,
    LtiUser,
    ScoreOutbox,
)
from lti.services.activities import template_of
from lti.services.erased_rows import (
    erase_statements,
    erase_turns,
    forget_exports,
    midnight,
    score_kept,
)
from lti.services.raw_rows import Columns, column, database, table

__all__ = [
    "ERASED_MARK",
    "ERASED_PREFIX",
    "RETENTION_BATCH",
    "Erasure",
    "erase_expired",
    "erase_learner",
    "erase_record",
    "erasures_by_request",
    "learner_key",
    "learner_users",
    "partial_scores_held",
]

ERASED_PREFIX = "koula-erased:"
ERASED_MARK = "koula_erased_at"
"""The key of a record's state that says the retention pass erased it (and when). The next
action writes the state anew, without it: the record is then erased again once idle."""
RETENTION_BATCH = 200


@dataclass
class Erasure:
    """What one erasure removed (the audit log's ``removed``), and when the learner was
    erased before when there was nothing left to remove."""

    removed: Counter[str] = field(default_factory=Counter)
    accounts: int = 0
    erased_before: dt.datetime | None = None

    @property
    def found(self) -> bool:
        return self.accounts > 0 or self.erased_before is not None


def learner_key(issuer: str, sub: str) -> str:
    """Return the keyed hash (HMAC-SHA-256 with the tool's secret) that names a learner in the
    audit log: it tells whether an erasure was this learner's, and cannot be turned back."""
    return _keyed(settings.SECRET_KEY, issuer, sub)


@lru_cache(maxsize=4096)  # every partial score reads the learner's erasures by this key
def _keyed(secret: str, issuer: str, sub: str) -> str:
    message = f"koula-learner:{issuer}\x00{sub}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def learner_users(issuer: str, sub: str) -> list[LtiUser]:
    """Return the learner's accounts: one per registration of ``issuer`` that knows ``sub``."""
    return list(
        LtiUser.objects.select_related("registration")
        .filter(registration__issuer=issuer, sub=sub)
        .order_by("pk")
    )


def erase_learner(issuer: str, sub: str, *, by: str, now: dt.datetime | None = None) -> Erasure:
    """Erase everything held about the learner ``sub`` of ``issuer``; record it; return what
    was removed (``found`` False when Koula never knew the learner)."""
    now = now or dt.datetime.now(dt.UTC)
    key = learner_key(issuer, sub)
    erasure = Erasure()
    for user in learner_users(issuer, sub):
        with transaction.atomic():
            user = LtiUser.objects.select_for_update().get(pk=user.pk)
            removed: Counter[str] = Counter()
            records = LearnerRecord.objects.select_for_update().filter(user=user).order_by("pk")
            graded = _graded_activities(user)
            for record in records:
                removed += erase_record(record, user, key=key)
            removed["host_turns"] += erase_turns(user, label=erased_label(key))
            removed["accounts"] += 1
            removed["reminders"] += user.sentreminder_set.count()
            removed["scores"] += user.scoreoutbox_set.count()
            removed["statements"] += user.statements.count()
            user.delete()  # its name, e-mail and language; what still hangs off it goes too
            _audit(
                key,
                user,
                by=by,
                reason=LearnerErasure.Reason.REQUEST,
                removed=removed,
                at=now,
                graded=graded,
            )
        erasure.removed += removed
        erasure.accounts += 1
    if not erasure.accounts:
        last = LearnerErasure.objects.filter(learner=key).order_by("-pk").first()
        erasure.erased_before = last.at if last else None
    return erasure


def erase_record(record: LearnerRecord, user: LtiUser, *, key: str) -> Counter[str]:
    """Erase ``user``'s record in one activity and hand it to a new anonymous account (inside
    the caller's transaction, the record locked); return what was removed. (``key``, the
    learner's keyed hash, is the caller's: the host hand-overs are erased per learner.)"""
    activity = Activity.objects.select_for_update().get(pk=record.activity_id)
    removed: Counter[str] = Counter(records=1)
    anonymous = LtiUser.objects.create(
        registration_id=user.registration_id, sub=ERASED_PREFIX + secrets.token_hex(16)
    )
    before = LearnerState.from_data(record.state)
    record.state = erased_state(before, template_of(activity)).to_data()
    record.user = anonymous
    record.save(update_fields=["state", "user"])
    # The last action's day, not its time: the gradebook keeps each score's time with the
    # learner's id (an update, not save(), which would set the time to now).
    LearnerRecord.objects.filter(pk=record.pk).update(updated_at=midnight(record.updated_at))
    mine = {"activity": activity, "user": user}
    removed["scores_not_delivered"] = ScoreOutbox.objects.filter(
        **mine, status=ScoreOutbox.Status.PENDING
    ).delete()[0]
    for score in ScoreOutbox.objects.filter(**mine):
        score.payload = score_kept(score.payload)
        score.user, score.last_error = anonymous, ""
        score.created_at, score.delivered_at = (
            midnight(score.created_at),
            midnight(score.delivered_at),
        )
        score.save(update_fields=["payload", "user", "last_error", "created_at", "delivered_at"])
    for reminder in activity.reminders.filter(user=user):
        # Its key was a hash of the learner's id: a random one links it to no one (the
        # anonymous account is sent no reminder, so no key of its own can meet it).
        reminder.key, reminder.user = secrets.token_hex(32), anonymous
        reminder.save(update_fields=["key", "user"])
    removed += erase_statements(activity, user, to=anonymous)
    removed["prepared_exports"] = forget_exports(activity)
    removed["shared_cards"] = int(before.shared_at is not None)
    return removed


def erasures_by_request(user: LtiUser) -> tuple[str, list[Any]]:
    """The statement (and its parameters) reading the erasures on request of the person
    ``user`` is (the audit log knows their keyed hash on this platform): rows of a ``1``, then
    each erasure's columns for :func:`partial_scores_held` (the score queue reads them, when
    the platform holds erasures on request at all, in one statement with the learner's last
    score where that is not read yet: :func:`lti.services.scores.queue_score`)."""
    key = learner_key(user.registration.issuer, user.sub)
    reason = LearnerErasure.Reason.REQUEST.value
    return _erasures_sql(database().vendor), [user.registration_id, reason, key]


def partial_scores_held(erasures: Iterable[Sequence[Any]], activity: Activity) -> bool:
    """Return True when one of ``erasures`` (rows of :func:`erasures_by_request`) was of a
    learner who came back to ``activity``, where a score had gone to their gradebook before:
    a partial score could lower the grade it kept."""
    columns = _erasure_columns()
    return any(activity.pk in columns.instance(row[1:]).graded_activities for row in erasures)


@cache
def _erasures_sql(vendor: str) -> str:
    return (
        f"SELECT 1, {_erasure_columns().sql} FROM {table(LearnerErasure)} e "
        f"WHERE e.{column(LearnerErasure, 'registration')} = %s "
        f"AND e.{column(LearnerErasure, 'reason')} = %s "
        f"AND e.{column(LearnerErasure, 'learner')} = %s"
    )


@cache
def _erasure_columns() -> Columns[LearnerErasure]:
    return Columns(LearnerErasure, "e", only=("graded_activities",))


def _graded_activities(user: LtiUser) -> list[int]:
    """The activities where a score of ``user`` reached, or may have reached, the gradebook
    (delivered, or pending after an attempt: it may have arrived)."""
    scores = ScoreOutbox.objects.filter(user=user).filter(
        Q(status=ScoreOutbox.Status.DELIVERED)
        | Q(status=ScoreOutbox.Status.PENDING, attempts__gt=0)
    )
    return sorted(set(scores.values_list("activity_id", flat=True)))


def erase_expired(
    *,
    days: int | None = None,
    now: dt.datetime | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Erase the answers in every learner's record of an activity whose last action is
    ``days`` (default ``KOULA_RETENTION_DAYS``) or more before ``now``; return how many records
    were erased. Nothing without days. The records stay their learners' (module docstring)."""
    days = settings.KOULA_RETENTION_DAYS if days is None else days
    if not days:
        return 0
    now = now or dt.datetime.now(dt.UTC)
    cutoff = now - dt.timedelta(days=days)
    expired = (
        LearnerRecord.objects.filter(updated_at__lte=cutoff)
        .exclude(user__sub__startswith=ERASED_PREFIX)
        .exclude(state__has_key=ERASED_MARK)
    )
    erased = 0
    while not (should_stop and should_stop()):
        batch = list(expired.order_by("pk").values_list("pk", flat=True)[:RETENTION_BATCH])
        if not batch:
            break
        for pk in batch:
            erased += _erase_expired_record(pk, cutoff=cutoff, now=now)
    return erased


def _erase_expired_record(pk: int, *, cutoff: dt.datetime, now: dt.datetime) -> int:
    """Erase the record's answers in place, mark it, and audit it when anything went."""
    with transaction.atomic():
        # Still idle once locked: an action meanwhile keeps what the learner just wrote.
        record = (
            LearnerRecord.objects.select_for_update(of=("self",))
            .select_related("user__registration", "activity")
            .filter(pk=pk, updated_at__lte=cutoff)
            .first()
        )
        if record is None or record.user.sub.startswith(ERASED_PREFIX):
            return 0
        if ERASED_MARK in record.state:
            return 0  # erased meanwhile
        user, activity = record.user, record.activity
        before = LearnerState.from_data(record.state)
        erased = erased_state(before, template_of(activity)).to_data()
        # An update, not save(): the record's updated_at stays its learner's last action.
        LearnerRecord.objects.filter(pk=pk).update(state={**erased, ERASED_MARK: format_time(now)})
        removed: Counter[str] = erase_statements(activity, user, to=user)
        if erased != before.to_data():
            removed["records"] = 1
            removed["prepared_exports"] = forget_exports(activity)
            removed["shared_cards"] = int(before.shared_at is not None)
        if not any(removed.values()):
            return 0  # nothing the learner wrote was left (erased before, no action since)
        key = learner_key(user.registration.issuer, user.sub)
        _audit(
            key,
            user,
            by="retention",
            reason=LearnerErasure.Reason.RETENTION,
            removed=removed,
            at=now,
        )
    return 1


def _audit(
    key: str,
    user: LtiUser,
    *,
    by: str,
    reason: str,
    removed: Counter[str],
    at: dt.datetime,
    graded: list[int] | None = None,
) -> None:
    LearnerErasure.objects.create(
        learner=key,
        registration_id=user.registration_id,
        by=by[:200],
        reason=reason,
        removed={name: count for name, count in sorted(removed.items()) if count},
        graded_activities=graded or [],
        at=at,
    )
