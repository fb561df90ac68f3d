"""Delivering the score outbox to platforms: retried, ordered per learner, never dropped.

One pass (:func:`deliver_due`) claims the due rows (on PostgreSQL with
``SKIP LOCKED``, so several workers never take the same row), sends only the
newest score of each learner (older ones are marked superseded: platforms keep
only the newest), and handles each answer:

* 2xx: delivered.
* An attempt whose fate is unknown (it timed out, or its worker died while it
  was in flight: the row is marked ``uncertain`` before each request) is settled
  before anything is sent again: the platform's result (AGS results service)
  shows whether it landed. If it did, the row is delivered without a second
  request; if the results service cannot answer now, the row waits and asks again,
  so a score change never reaches the platform twice. Only a platform that grants
  no results scope gets the score again (it cannot be asked).
* 409 on a superseded score: done. 409 on the newest (Moodle keeps one score
  per second): sent again after that second with a fresh timestamp.
* 400 (a user the platform cannot grade) and other 4xx: refused, shown to staff.
* 401: the cached access token is dropped and the score retried.
* 5xx, timeouts, network errors: retried with exponential backoff and jitter.
* A line item URL on an origin the registration does not trust (``lti.origins``): never
  sent, retried with backoff (the error names the URL), so the scores go as soon as an
  administrator trusts that origin.

A pass given a ``stop`` event (set when the process is asked to stop) finishes
the score in flight, then gives the rows it claimed but did not send back to
the queue at once (:func:`unclaim`), so a restart neither loses nor resends one.
Every line logged while a row is handled carries its id (``outbox_row``). A pass sends
through ``transport`` (:class:`lti.outbound.Transport`): the network, unless a test gives
a platform of its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
from collections.abc import Sequence
from typing import Any

import requests
from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from koula import format_time, parse_time
from lti.ags import (
    SCOPE_RESULT,
    SCOPE_SCORE,
    AgsError,
    create_lineitem,
    current_result,
    forget_token,
    post_score,
)
from lti.logs import log_context
from lti.models import Activity, ScoreOutbox
from lti.outbound import OutboundRefused, Transport, send

__all__ = [
    "MAX_SAME_SECOND_RETRIES",
    "backoff",
    "claim_due",
    "deliver_due",
    "lease",
    "next_due",
    "unclaim",
]

log = logging.getLogger(__name__)


def lease() -> dt.timedelta:
    """How long a claimed score is a worker's: enough for one score's calls (a results check,
    a token, the score itself), each bounded by ``KOULA_HTTP_TIMEOUT``, and some slack.

    Each row's lease is renewed just before it is handled (:func:`_renew`), so a pass of
    many slow rows never outlives the lease of the rows it has not reached yet.
    """
    return dt.timedelta(seconds=3 * settings.KOULA_HTTP_TIMEOUT + 10)


MAX_SAME_SECOND_RETRIES = 5
MAX_DELAY = 600.0
Status = ScoreOutbox.Status


def backoff(attempts: int) -> dt.timedelta:
    """Return the wait before the next try: exponential, capped, with ±50 % jitter."""
    delay = min(settings.KOULA_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), MAX_DELAY)
    return dt.timedelta(seconds=delay * random.uniform(0.5, 1.5))


def deliver_due(
    limit: int = 50, *, stop: threading.Event | None = None, transport: Transport = send
) -> int:
    """Send the due scores once; return how many rows were handled (sent or given back)."""
    claimed = _claim(limit)
    for index, row in enumerate(claimed):
        if stop is not None and stop.is_set():
            unclaim(claimed[index:])
            break
        if not _renew(row):  # its lease ran out and another worker took it
            continue
        with log_context(outbox_row=row.pk):
            log.debug("delivering score %s", row.pk)
            try:
                _deliver(row, transport)
            except Exception as exc:  # one bad row must not stop the others; it is retried
                log.exception("score %s: unexpected error", row.pk)
                _retry(row, f"unexpected error: {exc}")
    return len(claimed)


def unclaim(rows: Sequence[ScoreOutbox]) -> int:
    """Give claimed rows back to the queue, due now, as if never taken; return how many."""
    given_back = 0
    for row in rows:
        given_back += ScoreOutbox.objects.filter(
            pk=row.pk, status=Status.PENDING, next_attempt_at=row.next_attempt_at
        ).update(next_attempt_at=timezone.now(), attempts=max(row.attempts - 1, 0))
    if given_back:
        log.info("gave %s claimed scores back to the queue", given_back)
    return given_back


def next_due() -> dt.datetime | None:
    """Return when the earliest pending score is due (None when nothing waits)."""
    return (
        ScoreOutbox.objects.filter(status=Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def _claim(limit: int) -> list[ScoreOutbox]:
    return claim_due(ScoreOutbox.objects.filter(status=Status.PENDING), limit, lease())


def claim_due[Row: models.Model](
    pending: QuerySet[Row], limit: int, held: dt.timedelta
) -> list[Row]:
    """Claim up to ``limit`` of the ``pending`` outbox rows that are due, oldest first: each
    one's attempt is counted and it is this worker's for ``held`` (others skip it until
    then; on PostgreSQL ``SKIP LOCKED`` keeps two workers from taking the same rows)."""
    now = timezone.now()
    with transaction.atomic():
        due = pending.filter(next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.order_by("pk")[:limit])
        for row in rows:
            row.attempts += 1
            row.next_attempt_at = now + held  # taken: others skip it until the lease ends
        if rows:
            pending.model.objects.bulk_update(rows, ["attempts", "next_attempt_at"])
    return rows


def _renew(row: ScoreOutbox) -> bool:
    """Renew ``row``'s lease if it is still this worker's (compare and set); return whether."""
    renewed = timezone.now() + lease()
    taken = ScoreOutbox.objects.filter(
        pk=row.pk, status=Status.PENDING, next_attempt_at=row.next_attempt_at
    ).update(next_attempt_at=renewed)
    if taken:
        row.next_attempt_at = renewed
    return bool(taken)


def _deliver(row: ScoreOutbox, transport: Transport) -> None:
    if ScoreOutbox.objects.filter(
        activity_id=row.activity_id, user_id=row.user_id, pk__gt=row.pk
    ).exists():
        _finish(row, Status.SUPERSEDED, "a newer score replaces it")
        return
    activity = Activity.objects.select_related("deployment__registration").get(pk=row.activity_id)
    registration = activity.deployment.registration
    if row.uncertain and not _settled(row, activity, transport):
        return
    was_uncertain = row.uncertain
    try:
        lineitem = _lineitem(activity, transport)
        if not lineitem:
            _finish(row, Status.REFUSED, "the platform offers no grade service for this link")
            return
        # Marked before the request: should this worker die while it is in flight, the next
        # one asks the platform before sending again.
        ScoreOutbox.objects.filter(pk=row.pk).update(uncertain=True)
        response = post_score(registration, lineitem, row.payload, transport=transport)
    except (requests.RequestException, AgsError) as exc:
        # A request never sent (no token, no connection made, refused by the outbound
        # policy, e.g. a line item on an untrusted origin) cannot have landed; any other
        # (a timeout while waiting for the answer, a connection cut) may have.
        never_sent = isinstance(exc, AgsError | requests.ConnectTimeout | OutboundRefused)
        row.uncertain = was_uncertain if never_sent else True
        _retry(row, str(exc))
        return
    status = response.status_code
    if 200 <= status < 300:
        row.uncertain = False
        _finish(row, Status.DELIVERED, "")
        return
    # The platform answered: this request did not land, but an earlier one may still.
    row.uncertain = was_uncertain
    if status == 409:
        _same_second(row, activity, transport)
        return
    if status == 401:
        forget_token(registration, (SCOPE_SCORE,))
        _retry(row, f"HTTP 401: {response.text[:300]}")
    elif status >= 500 or status == 429:
        _retry(row, f"HTTP {status}: {response.text[:300]}")
    else:
        _finish(row, Status.REFUSED, f"HTTP {status}: {response.text[:500]}")


def _lineitem(activity: Activity, transport: Transport) -> str:
    if not activity.lineitem_url and activity.lineitems_url:
        activity.lineitem_url = create_lineitem(
            activity.deployment.registration,
            activity.lineitems_url,
            label=activity.title,
            score_maximum=activity.score_maximum,
            resource_link_id=activity.resource_link_id,
            transport=transport,
        )
        activity.save(update_fields=["lineitem_url"])
    return activity.lineitem_url


def _same_second(row: ScoreOutbox, activity: Activity, transport: Transport) -> None:
    if ScoreOutbox.objects.filter(
        activity_id=row.activity_id, user_id=row.user_id, pk__gt=row.pk
    ).exists():
        _finish(row, Status.SUPERSEDED, "HTTP 409 on a score already replaced")
        return
    if row.uncertain and not _settled(row, activity, transport):  # an earlier one may have landed
        return
    row.conflicts += 1  # counted apart from 5xx and timeouts, which say nothing of a newer grade
    if row.conflicts > MAX_SAME_SECOND_RETRIES:
        _finish(
            row,
            Status.REFUSED,
            "HTTP 409: the platform keeps a newer grade (perhaps edited in its gradebook)",
        )
        return
    previous = parse_time(row.payload["timestamp"]) or timezone.now()
    next_second = previous.replace(microsecond=0) + dt.timedelta(seconds=1, milliseconds=1)
    moment = max(timezone.now(), next_second)
    row.payload = {**row.payload, "timestamp": format_time(moment)}
    row.next_attempt_at = moment
    row.last_error = "HTTP 409: sent again after the platform's one-second resolution"
    row.save(update_fields=["payload", "next_attempt_at", "last_error", "uncertain", "conflicts"])


def _settled(row: ScoreOutbox, activity: Activity, transport: Transport) -> bool:
    """Settle an uncertain row before sending it again; return True when it may be sent.

    The platform holds the score: the row is delivered (False: nothing to send). It does
    not yet: True, and the row stays uncertain (a timed-out request may still land, so a
    409 later is checked again). The results service cannot answer now: the row waits for
    the next try (False). It is not offered at all: True (sent again, unknown).
    """
    if SCOPE_RESULT not in (activity.ags_scopes or []):
        return True
    try:
        result = current_result(
            activity.deployment.registration,
            activity.lineitem_url,
            row.payload["userId"],
            transport=transport,
        )
    except AgsError as exc:
        _retry(row, f"waiting to learn whether an earlier attempt landed: {exc}")
        return False
    if _holds(result, row.payload):
        row.uncertain = False
        _finish(row, Status.DELIVERED, "an earlier attempt had landed (AGS results)")
        return False
    return True  # not yet: the row stays uncertain, for that attempt may still land


def _holds(result: Any, payload: dict[str, Any]) -> bool:
    """Return True when the platform's ``result`` is the score ``payload`` (score and comment)."""
    if not isinstance(result, dict) or not result.get("resultMaximum"):
        return False
    theirs = float(result.get("resultScore") or 0) / float(result["resultMaximum"])
    ours = float(payload["scoreGiven"]) / float(payload["scoreMaximum"])
    same_comment = "comment" not in result or result.get("comment") == payload.get("comment")
    return abs(theirs - ours) < 1e-6 and same_comment


def _retry(row: ScoreOutbox, error: str) -> None:
    row.next_attempt_at = timezone.now() + backoff(row.attempts)
    row.last_error = error[:1000]
    row.save(update_fields=["next_attempt_at", "last_error", "uncertain"])


def _finish(row: ScoreOutbox, status: Any, error: str) -> None:
    row.status = status
    row.last_error = error
    row.delivered_at = timezone.now() if status == Status.DELIVERED else None
    row.save(update_fields=["status", "last_error", "delivered_at", "uncertain", "conflicts"])
