"""OIDC third-party initiated login, and binding the launch to the browser that logged in.

The platform sends ``iss``, ``login_hint``, ``target_link_uri`` and the rest; the tool
records a fresh ``state`` and ``nonce`` and sends the browser to the platform's
authorization endpoint with them (``lti.md``: scope openid, response_type id_token,
response_mode form_post, prompt none).

The launch must come back in the same browser. A state cookie proves it where the
browser keeps it; when the login carries ``lti_storage_target`` the proof is a random
value the login page stores in the platform (``lti.put_data``) and the launch page reads
back (``lti.get_data``); without either, the launch is re-run in a new window.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils import timezone

from koula.messages import gettext_for
from lti.errors import LaunchRefused
from lti.models import LaunchState, Registration
from lti.services.nonces import now_and_then
from lti.services.raw_rows import Columns, column, insert, table, time_value
from lti.services.rows import delete_expired, fetch_one

__all__ = [
    "LOGIN_SECONDS",
    "STATE_FORMAT",
    "STORAGE_TARGET_PARAM",
    "LoginStart",
    "login_start",
    "origin_of",
    "pending_login",
    "relaunch_url",
    "spend_bound_login",
    "storage_key",
    "storage_value_check",
]

LOGIN_SECONDS = 600
# A state this tool issues (secrets.token_urlsafe(32), 43 characters): any other matches none.
STATE_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,100}")
STORAGE_TARGET_PARAM = "lti_storage_target"
_MAX_TARGET = 255


@dataclass(frozen=True)
class LoginStart:
    """Where the browser goes next: ``auth_url``; with platform storage, ``storage`` too."""

    auth_url: str
    state: str
    storage: dict[str, str] | None = None


def login_start(params: Mapping[str, str], *, language: str) -> LoginStart:
    """Record a login in flight; raise LaunchRefused for an incomplete or unknown platform.

    With ``lti_storage_target`` the answer's ``storage`` holds what the login page's
    script needs: the frame, the platform origin, the key and value, and the URLs.
    """
    _ = gettext_for(language)
    if any("\x00" in value for value in params.values()):  # no database stores it
        raise LaunchRefused(
            _("This login request is malformed. Start the activity again from your course."),
            language=language,
            detail="a NUL character in a parameter",
        )
    issuer, login_hint = params.get("iss", ""), params.get("login_hint", "")
    if not issuer or not login_hint:
        raise LaunchRefused(
            _(
                "This login request is incomplete (it lacks iss or login_hint). "
                "Start the activity again from your course."
            ),
            language=language,
        )
    registration = _registration(issuer, params.get("client_id", ""))
    if registration is None:
        raise LaunchRefused(
            _("This platform is not registered with Koula. Ask your administrator to register it."),
            language=language,
            detail=f"iss={issuer!r} client_id={params.get('client_id')!r}",
        )
    target = params.get(STORAGE_TARGET_PARAM, "")
    target = target if 0 < len(target) <= _MAX_TARGET else ""
    kept = {k: v for k, v in params.items() if k != STORAGE_TARGET_PARAM}
    # Expired logins refuse every launch already (pending_login reads unexpired ones only):
    # they are removed now and then, not at every login.
    now_and_then("expired logins", lambda: delete_expired(LaunchState))
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    fields = {
        "state": state,
        "nonce": nonce,
        "registration_id": registration.pk,
        "expires_at": timezone.now() + dt.timedelta(seconds=LOGIN_SECONDS),
        "storage_target": target,
        "storage_value": secrets.token_urlsafe(32) if target else "",
        "login_params": kept,
    }
    insert(LaunchState, **fields)  # one statement
    auth_url = _auth_url(registration, state, nonce, params)
    if not target:
        return LoginStart(auth_url, state)
    storage = {
        "target": target,
        "origin": origin_of(registration.auth_login_url),
        "key": storage_key(state),
        "value": fields["storage_value"],
        "next": auth_url,
        "fallback": relaunch_url(LaunchState(**fields)),
    }
    return LoginStart(auth_url, state, storage)


def _registration(issuer: str, client_id: str) -> Registration | None:
    """The registration of ``issuer`` and ``client_id`` (one per pair), or without a client
    id the issuer's first."""
    statement = _sql().registration_of_client if client_id else _sql().first_registration
    row = fetch_one(statement, [issuer, client_id] if client_id else [issuer])
    return _sql().registrations.instance(row) if row is not None else None


def _auth_url(registration: Registration, state: str, nonce: str, params: Mapping[str, str]) -> str:
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.client_id,
        "redirect_uri": f"{settings.BASE_URL}/lti/launch",
        "login_hint": params["login_hint"],
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in registration.auth_login_url else "?"
    return f"{registration.auth_login_url}{separator}{urlencode(query)}"


def pending_login(state: str) -> LaunchState | None:
    """Return the unexpired login in flight for ``state`` (not consumed), or None."""
    if not state:
        return None
    row = fetch_one(_sql().pending_login, [state, time_value(timezone.now())])
    return _sql().logins.instance(row) if row is not None else None


def spend_bound_login(state: str) -> LaunchState | None:
    """Spend the unexpired login in flight for ``state`` and return it, or None when there is
    none (unknown, expired or already spent: one DELETE, which only one launch can win).

    For a launch whose browser the state cookie ties to the login: a login that keeps its
    proof in the platform's storage instead (``storage_target``) is left alone.
    """
    if not state:
        return None
    row = fetch_one(_sql().spend_login, [state, time_value(timezone.now())])
    return _sql().spent_logins.instance(row) if row is not None else None


@dataclass(frozen=True)
class _Statements:
    """The login's statements, written once (:mod:`lti.services.raw_rows`)."""

    registrations: Columns[Registration]
    registration_of_client: str
    first_registration: str
    logins: Columns[LaunchState]
    pending_login: str
    spent_logins: Columns[LaunchState]
    spend_login: str


@cache
def _sql() -> _Statements:
    # What the login reads of its registration; what the launch needs of a login it spends.
    registrations = Columns(Registration, "r", only=("client_id", "auth_login_url"))
    logins = Columns(LaunchState, "s")
    spent = Columns(LaunchState, table(LaunchState), only=("nonce", "registration_id"))
    issuer = f"r.{column(Registration, 'issuer')} = %s"
    state, expires = column(LaunchState, "state"), column(LaunchState, "expires_at")
    select_registration = f"SELECT {registrations.sql} FROM {table(Registration)} r WHERE {issuer}"
    return _Statements(
        registrations=registrations,
        registration_of_client=(
            f"{select_registration} AND r.{column(Registration, 'client_id')} = %s"
        ),
        first_registration=f"{select_registration} ORDER BY r.id LIMIT 1",
        logins=logins,
        pending_login=(
            f"SELECT {logins.sql} FROM {table(LaunchState)} s "
            f"WHERE s.{state} = %s AND s.{expires} > %s"
        ),
        spent_logins=spent,
        spend_login=(
            f"DELETE FROM {table(LaunchState)} WHERE {state} = %s AND {expires} > %s "
            f"AND {column(LaunchState, 'storage_target')} = '' RETURNING {spent.sql}"
        ),
    )


def storage_key(state: str) -> str:
    """The platform-storage key under which the login of ``state`` keeps its value."""
    return f"koula_state_{state}"


def relaunch_url(login: LaunchState) -> str:
    """The tool's login URL with the original parameters, without platform storage."""
    return f"{settings.BASE_URL}/lti/login?{urlencode(login.login_params)}"


def storage_value_check(
    login: LaunchState, value: str, *, from_tool_page: bool, language: str
) -> None:
    """Return when ``value`` is the one the login stored; otherwise spend the login and
    raise LaunchRefused. ``from_tool_page`` says the request came from the tool's own page
    (its ``Origin``), so a forged cross-site form cannot bring a value of its own."""
    if from_tool_page and hmac.compare_digest(value.encode(), login.storage_value.encode()):
        return
    LaunchState.objects.filter(pk=login.pk).delete()
    _ = gettext_for(language)
    raise LaunchRefused(
        _(
            "This launch could not be verified, so Koula cannot open. Go back "
            "to your course and open the activity again."
        ),
        language=language,
        detail="platform storage value does not match the login"
        if from_tool_page
        else "storage value posted from another origin",
    )


def origin_of(url: str) -> str:
    """Return the web origin of ``url`` as a browser writes it (``https://host[:port]``)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{host}{port}"
