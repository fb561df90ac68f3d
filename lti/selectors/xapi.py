"""The staff view's "Learning records (xAPI)" block: where one activity's statements stand.

Read only when an LRS is configured (``KOULA_XAPI_URL``): :func:`xapi_delivery` is None
otherwise, and the block (``lti/templates/staff_xapi.html``) shows nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Max

from lti.models import Activity, StatementOutbox
from lti.services.xapi import xapi_enabled
from lti.services.xapi_delivery import CONFIG_HINT

__all__ = ["XapiDelivery", "XapiProblem", "xapi_delivery"]

PROBLEMS_SHOWN = 20
Status = StatementOutbox.Status


@dataclass(frozen=True)
class XapiProblem:
    """A statement the LRS refused, or one waiting after a failed attempt."""

    learner: str  # the learner's name, else their platform user id
    verb: str
    status: str
    attempts: int
    error: str


@dataclass(frozen=True)
class XapiDelivery:
    """The LRS's host, the activity's statements by status, when the last one was
    delivered, and the problems (the oldest first, at most ``PROBLEMS_SHOWN``)."""

    lrs: str
    counts: dict[str, int]
    last_delivered_at: dt.datetime | None
    problems: list[XapiProblem]
    misconfigured: bool = False
    """Statements wait because the LRS refused every one sent: its address or the
    credentials are wrong (:data:`lti.services.xapi_delivery.CONFIG_HINT`)."""


def xapi_delivery(activity: Activity) -> XapiDelivery | None:
    """Return where ``activity``'s xAPI statements stand, or None when no LRS is configured."""
    if not xapi_enabled():
        return None
    rows = StatementOutbox.objects.filter(activity=activity)
    found = dict(rows.values_list("status").annotate(n=Count("pk")))
    last = rows.filter(status=Status.DELIVERED).aggregate(at=Max("delivered_at"))["at"]
    misconfigured = rows.filter(status=Status.PENDING, last_error__startswith=CONFIG_HINT).exists()
    problems = (
        rows.select_related("user")
        .filter(status__in=[Status.REFUSED, Status.PENDING])
        .exclude(last_error="")
        .order_by("pk")[:PROBLEMS_SHOWN]
    )
    return XapiDelivery(
        lrs=urlsplit(settings.KOULA_XAPI_URL).netloc,
        counts={status: found.get(status, 0) for status in Status.values},
        last_delivered_at=last,
        problems=[
            XapiProblem(
                row.user.name or row.user.sub, row.verb, row.status, row.attempts, row.last_error
            )
            for row in problems
        ],
        misconfigured=misconfigured,
    )
