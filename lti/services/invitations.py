"""Registration invitations: the single-use links through which a platform registers Koula.

An administrator makes one with ``koula platforms invite`` (:func:`invitation_create`); the
platform opens ``<base>/lti/register/<token>``. Dynamic registration starts only for an open
invitation (:func:`invitation_require`, before any outbound request) and completes only by
spending it in the transaction that stores the registration (:func:`invitation_spend`). An
invitation is *open* until it expires, is revoked or is spent. Only the SHA-256 of a token is
stored and every lookup goes by that hash, so neither the database nor the time a lookup takes
tells anything about a token; the short id that lists show is the start of the hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from koula.messages import gettext_for
from lti.errors import InvitationRefused
from lti.models import Invitation, Registration

__all__ = [
    "DEFAULT_HOURS",
    "MAX_HOURS",
    "InvitationNotFound",
    "NewInvitation",
    "invitation_create",
    "invitation_find",
    "invitation_require",
    "invitation_revoke",
    "invitation_spend",
    "invitation_state",
    "invitation_url",
    "invitations_listed",
    "short_id",
]

log = logging.getLogger(__name__)

DEFAULT_HOURS = 7 * 24
MAX_HOURS = 90 * 24
TOKEN_BYTES = 32  # 43 URL-safe characters
MAX_TOKEN_LENGTH = 200  # longer is not one of ours: refused without hashing megabytes
SHORT_ID = 10  # hex digits of the hash shown by the listing
MIN_SHORT_ID = 6
MAX_NOTE = 200  # the column's length
HEX = re.compile(r"^[0-9a-f]+$")


class InvitationNotFound(LookupError):
    """A reference that names no invitation (``several``: a short id that names several)."""

    def __init__(self, reference: str, *, several: bool = False) -> None:
        super().__init__(reference)
        self.reference = reference
        self.several = several


@dataclass(frozen=True)
class NewInvitation:
    """What ``koula platforms invite`` prints: the link is shown this once, never stored."""

    url: str
    short_id: str
    expires_at: dt.datetime
    note: str


def token_hash(token: str) -> str:
    """The SHA-256 (hex) of ``token``, as stored; any string works, even a forged one."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_url(token: str) -> str:
    """The registration link of ``token``: its secret in the path, not in the query, because
    some platforms rebuild the query string when they add their own parameters."""
    return f"{settings.BASE_URL}/lti/register/{token}"


def short_id(invitation: Invitation) -> str:
    return invitation.token_hash[:SHORT_ID]


def new_token() -> str:
    """A link's secret that never starts with ``-``, so that ``koula platforms revoke-invite
    TOKEN`` does not read it as an option (one draw in 64 would)."""
    while (token := secrets.token_urlsafe(TOKEN_BYTES)).startswith("-"):
        pass
    return token


def invitation_create(
    *, hours: float = DEFAULT_HOURS, note: str = "", now: dt.datetime | None = None
) -> NewInvitation:
    """Make an open invitation valid ``hours`` from ``now``; raise ValueError on a bad argument."""
    if not 0 < hours <= MAX_HOURS:
        raise ValueError(f"hours must be more than 0 and at most {MAX_HOURS}")
    if len(note) > MAX_NOTE:
        raise ValueError(f"the note is at most {MAX_NOTE} characters")
    now = now or timezone.now()
    token = new_token()
    invitation = Invitation.objects.create(
        token_hash=token_hash(token), note=note, expires_at=now + dt.timedelta(hours=hours)
    )
    log.info("registration invitation %s made (%s)", short_id(invitation), note or "no note")
    return NewInvitation(invitation_url(token), short_id(invitation), invitation.expires_at, note)


def invitation_state(invitation: Invitation, now: dt.datetime | None = None) -> str:
    """``spent``, ``revoked``, ``expired`` or ``open``."""
    if invitation.spent_at is not None:
        return "spent"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def invitations_listed(
    *, everything: bool = False, now: dt.datetime | None = None
) -> list[Invitation]:
    """The open invitations, soonest to expire first (``everything``: all, newest first)."""
    if everything:
        rows = Invitation.objects.select_related("registration").order_by("-created_at", "-id")
        return list(rows)
    return list(_open(now or timezone.now()).order_by("expires_at", "id"))


def invitation_find(reference: str) -> Invitation:
    """The invitation named by its link, its token or its short id (a unique start of it).

    Raise :class:`InvitationNotFound` when none matches or a short id matches several.
    """
    reference = reference.strip()
    if "/" in reference:  # a link: the token is the last segment of the path
        reference = urlsplit(reference).path.rstrip("/").rsplit("/", 1)[-1]
    if 0 < len(reference) <= MAX_TOKEN_LENGTH:
        found = Invitation.objects.filter(token_hash=token_hash(reference)).first()
        if found is not None:
            return found
    prefix = reference.lower()
    if len(prefix) >= MIN_SHORT_ID and HEX.match(prefix):
        matches = list(Invitation.objects.filter(token_hash__startswith=prefix)[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise InvitationNotFound(reference, several=True)
    raise InvitationNotFound(reference[:60])


def invitation_revoke(*, reference: str, now: dt.datetime | None = None) -> Invitation:
    """Revoke the invitation ``reference`` names (see :func:`invitation_find`) unless it was
    spent; return it, ``revoked_at`` set (already revoked: unchanged)."""
    invitation = invitation_find(reference)
    if invitation.spent_at is None and invitation.revoked_at is None:
        invitation.revoked_at = now or timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log.info("registration invitation %s revoked", short_id(invitation))
    return invitation


def invitation_require(token: str, *, language: str, now: dt.datetime | None = None) -> None:
    """Return if ``token`` names an open invitation; else raise :class:`InvitationRefused`.

    Dynamic registration calls this before any outbound request: without an admin's
    invitation, nobody can make the tool fetch anything.
    """
    if not token:
        raise _refused(language, "no invitation in the registration URL", missing=True)
    # The database compares hashes, not tokens: how long the lookup takes says nothing
    # about how much of a guessed token is right.
    hashed = token_hash(token) if len(token) <= MAX_TOKEN_LENGTH else ""
    if not hashed or not _open(now or timezone.now()).filter(token_hash=hashed).exists():
        raise _refused(language, f"invitation {hashed[:SHORT_ID] or '(too long)'} is not open")


def invitation_spend(
    token: str, registration: Registration, *, language: str, now: dt.datetime | None = None
) -> None:
    """Spend the open invitation ``token`` on ``registration``; else raise InvitationRefused.

    Guarantee: called inside the transaction that stores ``registration``, at most one
    registration ever spends an invitation. The conditional UPDATE runs under the row's lock
    (PostgreSQL re-reads the row once a concurrent spender commits) or the database's write
    lock (SQLite, ``BEGIN IMMEDIATE``), so of two registrations racing on one token exactly
    one updates the row; the other raises, and its transaction, registration included,
    rolls back.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("invitation_spend must run in the transaction storing the registration")
    now = now or timezone.now()
    spent = (
        _open(now)
        .filter(token_hash=token_hash(token))
        .update(spent_at=now, registration=registration)
    )
    if spent != 1:
        raise _refused(language, f"invitation {token_hash(token)[:SHORT_ID]} was spent meanwhile")
    log.info(
        "registration invitation %s spent by %s client_id=%s",
        token_hash(token)[:SHORT_ID],
        registration.issuer,
        registration.client_id,
    )


def _open(now: dt.datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(spent_at=None, revoked_at=None, expires_at__gt=now)


def _refused(language: str, detail: str, *, missing: bool = False) -> InvitationRefused:
    """The 403 page's message: what happened, never which of expired, revoked or spent."""
    _ = gettext_for(language)
    if missing:
        message = _(
            "This address is not a registration link: Koula registers a platform only "
            "through a single-use link that its administrator makes."
        )
    else:
        message = _(
            "This registration link is not valid: it may have expired, been revoked or "
            "already been used."
        )
    return InvitationRefused(message, language=language, detail=detail)
