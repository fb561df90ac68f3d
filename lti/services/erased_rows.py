"""What an erasure does to the rows around a learner's records (:mod:`lti.services.
learner_data`): the copies it keeps of delivered scores and sent xAPI statements hold nothing
derived from the learner's id (no user id, no statement id, only the day); the host
hand-overs naming the learner, in every activity of their platform, name a label; the
prepared CSV exports, which hold answers, go.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from koula import erased_turns, format_time, names_learner, parse_time, turns_data, turns_from_data
from lti.models import Activity, LtiUser, ReportExport, StatementOutbox

__all__ = [
    "SCORE_KEPT",
    "erase_statements",
    "erase_turns",
    "forget_exports",
    "host_turn_activities",
    "midnight",
    "score_kept",
]

SCORE_KEPT = ("scoreGiven", "scoreMaximum", "activityProgress", "gradingProgress", "timestamp")


def score_kept(payload: dict[str, Any]) -> dict[str, Any]:
    """A delivered score's copy: the score, its maximum, the progress words and the day (the
    gradebook keeps each score's exact time with the learner's id)."""
    kept = {key: value for key, value in payload.items() if key in SCORE_KEPT}
    if "timestamp" in kept:
        kept["timestamp"] = _day(kept["timestamp"])
    return kept


def erase_statements(activity: Activity, user: LtiUser, *, to: LtiUser) -> Counter[str]:
    """Drop ``user``'s statements in ``activity`` not sent yet; the sent ones' copies lose
    their text and go to ``to``."""
    mine = StatementOutbox.objects.filter(activity=activity, user=user)
    removed: Counter[str] = Counter()
    removed["statements_not_sent"] = mine.filter(status=StatementOutbox.Status.PENDING).delete()[0]
    for sent in mine:
        scrubbed = _scrubbed(sent.statement)
        if (scrubbed, to.pk, "") == (sent.statement, sent.user_id, sent.last_error):
            continue
        sent.statement, sent.user, sent.last_error = scrubbed, to, ""
        fields = ["statement", "user", "last_error"]
        if to.pk != user.pk:  # the id was made from the learner's id: a random one instead
            sent.statement_id = uuid.uuid4()
            sent.created_at, sent.delivered_at = (
                midnight(sent.created_at),
                midnight(sent.delivered_at),
            )
            fields += ["statement_id", "created_at", "delivered_at"]
        sent.save(update_fields=fields)
        removed["statements_scrubbed"] += 1
    return removed


def _scrubbed(statement: dict[str, Any]) -> dict[str, Any]:
    """A sent statement's copy without its id (made from the actor's id), its actor, its
    text or its context: what was done, to what, on which day, and the result's completion,
    success and score."""
    result = statement.get("result") or {}
    kept = {key: statement[key] for key in ("verb",) if key in statement}
    if "timestamp" in statement:
        kept["timestamp"] = _day(statement["timestamp"])
    kept["object"] = {"id": (statement.get("object") or {}).get("id")}
    outcome = {key: result[key] for key in ("completion", "success", "score") if key in result}
    return kept | ({"result": outcome} if outcome else {})


def _day(moment: Any) -> Any:
    """``moment`` (an ISO time) cut to midnight UTC, as erased states keep their parts' times."""
    parsed = parse_time(moment) if isinstance(moment, str) else None
    return format_time(midnight(parsed)) if parsed is not None else moment


def midnight(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def host_turn_activities(user: LtiUser) -> list[int]:
    """Return the ids of the activities of ``user``'s platform whose host hand-overs (or next
    host) name them: linked to their id, or by their name as hand-overs compare names."""
    activities = Activity.objects.filter(deployment__registration_id=user.registration_id)
    rows = activities.order_by("pk").values_list("pk", "host_turns", "next_host")
    return [pk for pk, turns, next_host in rows if _names_user(user, turns or [], next_host)]


def _names_user(user: LtiUser, turns: list[Any], next_host: str) -> bool:
    named = any(
        turn.learner_id == user.sub or names_learner(turn.name, [user.name])
        for turn in turns_from_data(turns)
    )
    return named or names_learner(next_host, [user.name])


def erase_turns(user: LtiUser, *, label: str) -> int:
    """Name ``label`` instead of ``user`` in every host hand-over of their platform's
    activities, whether or not they have a record there; return how many turns changed."""
    changed = 0
    for pk in host_turn_activities(user):
        activity = Activity.objects.select_for_update().get(pk=pk)
        turns, replaced = erased_turns(
            turns_from_data(activity.host_turns),
            learner_id=user.sub,
            names=[user.name],
            label=label,
        )
        named = names_learner(activity.next_host, [user.name])
        if replaced or named:
            activity.host_turns = turns_data(turns)
            activity.next_host = label if named else activity.next_host
            activity.save(update_fields=["host_turns", "next_host"])
        changed += replaced
    return changed


def forget_exports(activity: Activity) -> int:
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
