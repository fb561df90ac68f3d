"""Delivering the xAPI statement outbox to the LRS: in batches, retried, never duplicated.

One pass (:func:`deliver_statements`) claims up to ``KOULA_XAPI_BATCH`` due rows, oldest
first (on PostgreSQL with ``SKIP LOCKED``, so two workers never send the same row; a
claim is a lease, as for scores), and POSTs them as one JSON array to
``KOULA_XAPI_URL/statements`` with Basic auth and ``X-Experience-API-Version: 1.0.3``,
under the outbound policy (:mod:`lti.http`: one deadline, a size cap on the answer; the
LRS's host is the operator's, so it may be on a private network).

* 2xx: every row of the batch is delivered.
* 5xx, 408, 429, a timeout or no connection: the whole batch is retried with the score
  outbox's exponential backoff (:func:`lti.services.delivery.backoff`). A batch that
  timed out may have been stored: sent again, its statements keep their ids, and an LRS
  keeps one statement per id (xAPI 1.0.3: the same statement again is not stored twice).
* 401, 403 (the key or secret), 404, 405 (``KOULA_XAPI_URL`` is not the LRS's xAPI base):
  the endpoint or its configuration is wrong, not a statement. The whole batch stays
  pending with backoff, the log says what to check, and so does the staff view (the rows'
  last answer starts with :data:`CONFIG_HINT`).
* Another 4xx (400, 409, 413, 422...): each statement of the batch is sent alone, so one
  bad statement stops no other. A statement refused alone while another of the batch
  passed is ``refused`` with the LRS's answer, shown to staff (``koula xapi retry`` puts
  it back in the queue). When none passes, the fault is the endpoint's, not a statement's:
  all stay pending with backoff, as above.

The single sends share the claim's lease (:func:`lease`): each is bounded by the time left
(``until``), and the statements not sent when the lease is nearly over are given back.

Statements go out exactly as they were queued (:mod:`lti.services.xapi`), so a retry, a
restart or two workers sending the same row always send the same statement. A pass given a
set ``stop`` event sends nothing and gives its claim back.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import timezone

from koula import XAPI_VERSION
from lti.http import outbound_policy
from lti.logs import log_context
from lti.models import StatementOutbox
from lti.outbound import Policy, Transport, send
from lti.services.delivery import backoff, claim_due
from lti.services.xapi import xapi_enabled

__all__ = [
    "CONFIG_HINT",
    "deliver_statements",
    "lrs_policy",
    "next_statement_due",
    "requeue_refused",
    "statements_url",
]

log = logging.getLogger(__name__)
Status = StatementOutbox.Status
RETRIED = frozenset({408, 429})
CONFIGURATION = frozenset({401, 403, 404, 405})
CONFIG_HINT = "check KOULA_XAPI_URL, KOULA_XAPI_KEY and KOULA_XAPI_SECRET"
SLACK_SECONDS = 5


def statements_url() -> str:
    """Return the LRS's statements resource (``KOULA_XAPI_URL/statements``)."""
    return f"{settings.KOULA_XAPI_URL}/statements"


def lrs_policy() -> Policy:
    """The outbound policy for the LRS: the tool's, with the LRS's host trusted (the operator
    named it, as a host in ``KOULA_PRIVATE_HOSTS``)."""
    policy = outbound_policy()
    host = (urlsplit(settings.KOULA_XAPI_URL).hostname or "").rstrip(".").lower()
    return replace(policy, private_hosts=policy.private_hosts | {host})


def _headers() -> dict[str, str]:
    pair = f"{settings.KOULA_XAPI_KEY}:{settings.KOULA_XAPI_SECRET}".encode()
    return {
        "Authorization": f"Basic {base64.b64encode(pair).decode('ascii')}",
        "X-Experience-API-Version": XAPI_VERSION,
        "Content-Type": "application/json",
    }


def lease() -> dt.timedelta:
    """How long a claimed batch is a worker's: its one request, then the single sends of a
    refused batch, all ended ``SLACK_SECONDS`` before the lease (:func:`_deliver`)."""
    return dt.timedelta(seconds=2 * settings.KOULA_HTTP_TIMEOUT + 10)


def deliver_statements(
    limit: int | None = None, *, stop: threading.Event | None = None, transport: Transport = send
) -> int:
    """Send one batch of due statements; return how many rows were handled (0: none due, or
    no LRS configured)."""
    if not xapi_enabled():
        return 0
    claimed = _claim(limit or settings.KOULA_XAPI_BATCH)
    until = time.monotonic() + lease().total_seconds() - SLACK_SECONDS  # the claim's end
    if not claimed:
        return 0
    if stop is not None and stop.is_set():
        _unclaim(claimed)
        return len(claimed)
    with log_context(statement_rows=f"{claimed[0].pk}-{claimed[-1].pk}"):
        try:
            _deliver(claimed, transport, until)
        except Exception as exc:  # a bad batch must not stop the loop; it is retried
            log.exception("xAPI statements %s-%s: unexpected error", claimed[0].pk, claimed[-1].pk)
            _retry(claimed, f"unexpected error: {exc}")
    return len(claimed)


def next_statement_due() -> dt.datetime | None:
    """Return when the earliest pending statement is due (None: none waits, or no LRS)."""
    if not xapi_enabled():
        return None
    return (
        StatementOutbox.objects.filter(status=Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def _claim(limit: int) -> list[StatementOutbox]:
    return claim_due(StatementOutbox.objects.filter(status=Status.PENDING), limit, lease())


def _unclaim(rows: Sequence[StatementOutbox]) -> None:
    for row in rows:
        StatementOutbox.objects.filter(
            pk=row.pk, status=Status.PENDING, next_attempt_at=row.next_attempt_at
        ).update(next_attempt_at=timezone.now(), attempts=max(row.attempts - 1, 0))


def requeue_refused(*, activity_id: int | None = None) -> int:
    """Put the refused statements (of one activity, or all) back in the queue, due now;
    return how many. For after the LRS or its configuration was fixed."""
    rows = StatementOutbox.objects.filter(status=Status.REFUSED)
    if activity_id is not None:
        rows = rows.filter(activity_id=activity_id)
    return rows.update(status=Status.PENDING, next_attempt_at=timezone.now(), attempts=0)


def _post(
    rows: Sequence[StatementOutbox], transport: Transport, until: float | None = None
) -> requests.Response:
    return transport(
        "POST",
        statements_url(),
        policy=lrs_policy(),
        headers=_headers(),
        json=[row.statement for row in rows],
        until=until,
    )


def _answer(response: requests.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:300]}"


def _deliver(rows: Sequence[StatementOutbox], transport: Transport, until: float) -> None:
    try:
        response = _post(rows, transport)
    except requests.RequestException as exc:
        _retry(rows, f"the LRS could not be reached: {exc}")
        return
    status = response.status_code
    if 200 <= status < 300:
        _delivered(rows)
    elif status >= 500 or status in RETRIED:
        _retry(rows, _answer(response))
    elif status in CONFIGURATION:
        _misconfigured(rows, _answer(response))
    else:  # one statement may be the one refused: each goes alone
        log.info("the LRS refused a batch of %s (HTTP %s): sending each alone", len(rows), status)
        _deliver_each(rows, transport, until)


def _deliver_each(rows: Sequence[StatementOutbox], transport: Transport, until: float) -> None:
    """Send each statement alone; refuse only those refused while another passed."""
    refused: list[tuple[StatementOutbox, str]] = []
    passed = False
    for index, row in enumerate(rows):
        if time.monotonic() >= until:  # the lease ends: the rest goes back to the queue
            _unclaim(rows[index:])
            break
        try:
            response = _post([row], transport, until)
        except requests.RequestException as exc:
            _retry([row], f"the LRS could not be reached: {exc}")
            continue
        status = response.status_code
        if 200 <= status < 300:
            _delivered([row])
            passed = True
        elif status >= 500 or status in RETRIED:
            _retry([row], _answer(response))
        elif status in CONFIGURATION:
            _misconfigured([row], _answer(response))
        else:
            refused.append((row, _answer(response)))
    if passed:
        for row, error in refused:
            _refused(row, error)
    elif refused:
        _misconfigured([row for row, _error in refused], refused[0][1])


def _delivered(rows: Sequence[StatementOutbox]) -> None:
    StatementOutbox.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=Status.DELIVERED, delivered_at=timezone.now(), last_error=""
    )


def _refused(row: StatementOutbox, error: str) -> None:
    log.warning("the LRS refused xAPI statement %s: %s", row.statement_id, error[:200])
    StatementOutbox.objects.filter(pk=row.pk).update(status=Status.REFUSED, last_error=error)


def _misconfigured(rows: Sequence[StatementOutbox], error: str) -> None:
    log.error(
        "the LRS refused every statement sent (%s): the endpoint or the credentials are "
        "wrong, not a statement; %s. The statements wait and are retried.",
        error[:200],
        CONFIG_HINT,
    )
    _retry(rows, f"{CONFIG_HINT} ({settings.KOULA_XAPI_URL}): {error}", quiet=True)


def _retry(rows: Sequence[StatementOutbox], error: str, *, quiet: bool = False) -> None:
    if not quiet:
        log.warning("xAPI statements not delivered (%s rows), retried later: %s", len(rows), error)
    for row in rows:
        StatementOutbox.objects.filter(pk=row.pk, status=Status.PENDING).update(
            next_attempt_at=timezone.now() + backoff(row.attempts), last_error=error[:1000]
        )
