"""Report and export links, bound to the staff member who opened them (``docs/lti.md``).

A link is ``{base}/lti/report/<link>/...``: ``<link>`` signs the activity and the
staff user, and lives ``KOULA_REPORT_LINK_SECONDS`` (15 minutes by default). It
opens nothing alone: each request must also carry, for the same user and
activity, one of

* the staff view's bearer token (:func:`lti.bearer.issue_staff_token`), which the
  page's script sends in the ``Authorization`` header;
* a ticket (:func:`issue_ticket`): single use, one minute (or the links' lifetime
  when shorter), posted in a form's body (never in a URL, so never in a log or the
  history), for a download the browser writes to disk as it arrives, or to open a
  report window;
* the cookie of a report window (:func:`window_cookie`): set when a new window
  spends a ticket, first-party there (the staff view itself sits in the platform's
  iframe, where browsers may block the tool's cookies), ``HttpOnly``, scoped to
  that window's link and as short-lived as the link.

A link copied into another browser, or used with another person's token (a
learner's token is signed for another purpose), is refused with 403.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from koula.messages import N_, translate
from lti.bearer import Grant, read_signed, read_staff_token, sign_data
from lti.errors import NotAllowed
from lti.services.nonces import nonce_consume

__all__ = [
    "COOKIE",
    "REFUSED",
    "TICKET_SECONDS",
    "Credentials",
    "issue_ticket",
    "link_grant",
    "report_link",
    "window_cookie",
]

COOKIE = "koula_report"
TICKET_SECONDS = 60
# Spent tickets are kept with the used launch nonces, under a name no platform issuer has.
TICKET_ISSUER = "koula:report-ticket"
REFUSED = N_(
    "This report link works only in the course page that opened it, for a few minutes. "
    "Open the activity again from your course to see the report."
)


@dataclass(frozen=True)
class Credentials:
    """What a request to a report link carries besides the link itself."""

    bearer: str | None = None
    cookie: str | None = None
    ticket: str | None = None


def report_link(grant: Grant) -> str:
    """Return a new ``<link>`` for the staff member and activity of ``grant``."""
    return sign_data({"activity": grant.activity_id, "user": grant.user_id}, "report-link")


def issue_ticket(grant: Grant) -> str:
    """Return a single-use ticket for ``grant``, valid :data:`TICKET_SECONDS` at most."""
    return sign_data(
        {"grant": _grant_data(grant), "id": secrets.token_urlsafe(16)}, "report-ticket"
    )


def window_cookie(grant: Grant) -> str:
    """Return the value of a report window's cookie for ``grant``."""
    return sign_data(_grant_data(grant), "report-window")


def link_grant(link: str, credentials: Credentials, *, language: str) -> Grant:
    """Return the staff grant that opens ``link`` with ``credentials``.

    The first credential present is the one read (bearer token, then cookie, then
    ticket, which is spent). Raises :class:`~lti.errors.NotAllowed` (403) when the
    link is forged or expired, or when that credential is missing, expired, spent,
    or names another user or activity.
    """
    owner = read_signed(link, "report-link", settings.KOULA_REPORT_LINK_SECONDS)
    grant = _credential_grant(credentials) if isinstance(owner, dict) else None
    if (
        grant is None
        or not isinstance(owner, dict)
        or (grant.activity_id, grant.user_id) != (owner.get("activity"), owner.get("user"))
    ):
        raise NotAllowed(
            translate(language, REFUSED), language=language, detail="report link refused"
        )
    return grant


def _credential_grant(credentials: Credentials) -> Grant | None:
    if credentials.bearer is not None:
        return read_staff_token(credentials.bearer)
    if credentials.cookie is not None:
        cookie = read_signed(
            credentials.cookie, "report-window", settings.KOULA_REPORT_LINK_SECONDS
        )
        return _grant_of(cookie)
    if credentials.ticket is not None:
        return _spend(credentials.ticket)
    return None


def _spend(ticket: str) -> Grant | None:
    seconds = min(TICKET_SECONDS, int(settings.KOULA_REPORT_LINK_SECONDS))
    data = read_signed(ticket, "report-ticket", seconds)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    until = timezone.now() + dt.timedelta(seconds=seconds + 1)
    if not nonce_consume(issuer=TICKET_ISSUER, nonce=data["id"], expires_at=until):
        return None  # already spent
    return _grant_of(data.get("grant"))


def _grant_data(grant: Grant) -> list[object]:
    return [grant.user_id, grant.deployment_id, grant.activity_id, grant.language]


def _grant_of(data: object) -> Grant | None:
    if not isinstance(data, list) or len(data) != 4:
        return None
    user, deployment, activity, language = data
    return Grant(int(user), int(deployment), int(activity), str(language))
