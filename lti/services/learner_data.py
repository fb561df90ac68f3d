"""Erasing a learner's data: on request (``koula learners erase``) and when it has been kept
``KOULA_RETENTION_DAYS`` after their last action in an activity (the worker's retention pass).

Both erase a learner's record in one activity the same way (:func:`erase_record`): its state
keeps what the reports count and nothing the learner wrote (:func:`koula.personal_data.
erased_state`), and the record, with the reminders sent and the scores of that activity, is
handed to a new anonymous account of the same platform (a ``sub`` of :data:`ERASED_PREFIX`
and random digits, no name, no e-mail), so the report's figures stay and nothing links them
to the person. Scores not delivered yet are dropped; the delivered ones keep only the score
(no user id, no comment); the xAPI statements not sent yet are dropped and the sent ones'
copies lose their text; the host hand-overs naming the learner name a neutral label; the
activity's prepared CSV exports (which hold the answers) are deleted. A request also deletes
the learner's accounts (name, e-mail, language). Each learner's erasure is one transaction,
and erasing again finds nothing to do. The audit log (:class:`~lti.models.LearnerErasure`)
records who asked, when and what was removed, naming the learner by a keyed hash only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from koula import (
    LearnerState,
    erased_label,
    erased_state,
    erased_turns,
    names_learner,
    turns_data,
    turns_from_data,
)
from lti.models import (
    Activity,
    LearnerErasure,
    LearnerRecord,
    LtiUser,
    ReportExport,
    ScoreOutbox,
    StatementOutbox,
)
from lti.services.activities import template_of

__all__ = [
    "ERASED_PREFIX",
    "RETENTION_BATCH",
    "Erasure",
    "erase_expired",
    "erase_learner",
    "erase_record",
    "learner_key",
    "learner_users",
]

ERASED_PREFIX = "koula-erased:"
RETENTION_BATCH = 200
SCORE_KEPT = ("scoreGiven", "scoreMaximum", "activityProgress", "gradingProgress", "timestamp")


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
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"koula-learner:{issuer}\x00{sub}".encode(), hashlib.sha256).hexdigest()


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
            for record in records:
                removed += erase_record(record, user, key=key)
            removed["accounts"] += 1
            removed["reminders"] += user.sentreminder_set.count()
            removed["scores"] += user.scoreoutbox_set.count()
            removed["statements"] += user.statements.count()
            user.delete()  # its name, e-mail and language; what still hangs off it goes too
            _audit(key, user, by=by, reason=LearnerErasure.Reason.REQUEST, removed=removed, at=now)
        erasure.removed += removed
        erasure.accounts += 1
    if not erasure.accounts:
        last = LearnerErasure.objects.filter(learner=key).order_by("-pk").first()
        erasure.erased_before = last.at if last else None
    return erasure


def erase_record(record: LearnerRecord, user: LtiUser, *, key: str) -> Counter[str]:
    """Erase ``user``'s record in one activity (inside the caller's transaction, the record
    locked); return what was removed."""
    activity = Activity.objects.select_for_update().get(pk=record.activity_id)
    removed: Counter[str] = Counter(records=1)
    anonymous = LtiUser.objects.create(
        registration_id=user.registration_id, sub=ERASED_PREFIX + secrets.token_hex(16)
    )
    before = LearnerState.from_data(record.state)
    record.state = erased_state(before, template_of(activity)).to_data()
    record.user = anonymous
    record.save(update_fields=["state", "user"])  # updated_at stays: the last action's time
    mine = {"activity": activity, "user": user}
    removed["scores_not_delivered"] = ScoreOutbox.objects.filter(
        **mine, status=ScoreOutbox.Status.PENDING
    ).delete()[0]
    for score in ScoreOutbox.objects.filter(**mine):
        score.payload = {k: v for k, v in score.payload.items() if k in SCORE_KEPT}
        score.user, score.last_error = anonymous, ""
        score.save(update_fields=["payload", "user", "last_error"])
    activity.reminders.filter(user=user).update(user=anonymous)
    removed["statements_not_sent"] = StatementOutbox.objects.filter(
        **mine, status=StatementOutbox.Status.PENDING
    ).delete()[0]
    for sent in StatementOutbox.objects.filter(**mine):
        sent.statement, sent.user, sent.last_error = _scrubbed(sent.statement), anonymous, ""
        sent.save(update_fields=["statement", "user", "last_error"])
    removed["host_turns"] = _erase_turns(activity, user, label=erased_label(key))
    removed["prepared_exports"] = _forget_exports(activity)
    removed["shared_cards"] = int(before.shared_at is not None)
    return removed


def erase_expired(
    *,
    days: int | None = None,
    now: dt.datetime | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Erase every learner's record of an activity whose last action is ``days`` (default
    ``KOULA_RETENTION_DAYS``) or more before ``now``; return how many. Nothing without days."""
    days = settings.KOULA_RETENTION_DAYS if days is None else days
    if not days:
        return 0
    now = now or dt.datetime.now(dt.UTC)
    expired = LearnerRecord.objects.filter(updated_at__lte=now - dt.timedelta(days=days)).exclude(
        user__sub__startswith=ERASED_PREFIX
    )
    erased = 0
    while not (should_stop and should_stop()):
        batch = list(expired.order_by("pk").values_list("pk", flat=True)[:RETENTION_BATCH])
        if not batch:
            break
        for pk in batch:
            erased += _erase_expired_record(pk, now=now)
    return erased


def _erase_expired_record(pk: int, *, now: dt.datetime) -> int:
    with transaction.atomic():
        record = LearnerRecord.objects.select_for_update().filter(pk=pk).first()
        if record is None or record.user.sub.startswith(ERASED_PREFIX):
            return 0  # erased meanwhile
        user = record.user
        key = learner_key(user.registration.issuer, user.sub)
        removed = erase_record(record, user, key=key)
        _audit(
            key,
            user,
            by="retention",
            reason=LearnerErasure.Reason.RETENTION,
            removed=removed,
            at=now,
        )
    return 1


def _scrubbed(statement: dict[str, Any]) -> dict[str, Any]:
    """A sent statement's copy without its actor, its text or its context: what was done,
    to what, when, and the result's completion, success and score."""
    result = statement.get("result") or {}
    kept = {key: statement[key] for key in ("id", "verb", "timestamp") if key in statement}
    kept["object"] = {"id": (statement.get("object") or {}).get("id")}
    outcome = {key: result[key] for key in ("completion", "success", "score") if key in result}
    return kept | ({"result": outcome} if outcome else {})


def _erase_turns(activity: Activity, user: LtiUser, *, label: str) -> int:
    turns, changed = erased_turns(
        turns_from_data(activity.host_turns), learner_id=user.sub, names=[user.name], label=label
    )
    named = names_learner(activity.next_host, [user.name])
    if changed or named:
        activity.host_turns = turns_data(turns)
        activity.next_host = label if named else activity.next_host
        activity.save(update_fields=["host_turns", "next_host"])
    return changed


def _forget_exports(activity: Activity) -> int:
    """Delete ``activity``'s prepared CSV files (they hold answers) once the erasure commits."""
    done = activity.exports.filter(
        status__in=[ReportExport.Status.DONE, ReportExport.Status.FAILED]
    )
    names = [name for name in done.values_list("file_name", flat=True) if name]
    count = done.delete()[0]

    def unlink() -> None:
        for name in names:
            (Path(settings.KOULA_EXPORT_DIR) / name).unlink(missing_ok=True)

    transaction.on_commit(unlink)
    return count


def _audit(
    key: str, user: LtiUser, *, by: str, reason: str, removed: Counter[str], at: dt.datetime
) -> None:
    LearnerErasure.objects.create(
        learner=key,
        registration_id=user.registration_id,
        by=by[:200],
        reason=reason,
        removed={name: count for name, count in sorted(removed.items()) if count},
        at=at,
    )
