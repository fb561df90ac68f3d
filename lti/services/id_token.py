"""Validating a launch's ``id_token`` as LTI 1.3 and its certification tests require.

RS256 only; the key chosen by ``kid`` from the platform's JWKS; ``iss`` exact;
``aud`` holding our client id; ``azp``, when present (and it must be with several
audiences), equal to it; ``exp`` and ``iat`` with a small leeway; ``state`` issued
by us and consumed once; ``nonce`` matching it and never seen before; a known
deployment; version 1.3.0; the claims each message type requires. Any failure raises
:class:`~lti.errors.LaunchRefused` with a message for the person.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import jwt
from django.utils import timezone

from koula.messages import Gettext, gettext_for
from lti.claims import CLAIM, DEEP_LINKING, RESOURCE_LINK, LaunchData
from lti.errors import LaunchRefused
from lti.jwt_decoding import decoder
from lti.models import Deployment, LaunchState, Registration
from lti.platform_keys import KeyNotFound, platform_key
from lti.services.login import spend_bound_login
from lti.services.nonces import nonce_consume
from lti.services.raw_rows import Columns, column, driver_cursor, table, time_value
from lti.services.rows import fetch_one, one_or_none

__all__ = ["LEEWAY_SECONDS", "validate_launch"]

LEEWAY_SECONDS = 60
DEPLOYMENT_ID_LENGTH = Deployment._meta.get_field("deployment_id").max_length or 255


_BY_COOKIE = object()


def validate_launch(
    id_token: str, state: str, *, language: str, login: LaunchState | object | None = _BY_COOKIE
) -> LaunchData:
    """Return the verified launch; raise LaunchRefused (never anything else) when it is bad.

    ``login`` is the login in flight for ``state`` when the caller has read it
    (:func:`~lti.services.login.pending_login`, None when there is none), to bind the browser
    otherwise than by the state cookie; it is spent here. Without it the state cookie tied
    the browser to the login, which is spent here by its state
    (:func:`~lti.services.login.spend_bound_login`). Either way the state is spent once.
    """
    _ = gettext_for(language)

    def refuse(detail: str) -> LaunchRefused:
        return LaunchRefused(
            _(
                "This launch could not be verified, so Koula cannot open. Go back "
                "to your course and open the activity again."
            ),
            language=language,
            detail=detail,
        )

    header, unverified = _peek(id_token, refuse)
    if login is _BY_COOKIE:
        launch_state = _spend_bound(state, refuse)
    else:
        launch_state = _consume_state(login if isinstance(login, LaunchState) else None, refuse)
    # Not verified yet: a value no deployment row could hold matches none, and is not sent.
    wanted = unverified.get(CLAIM["deployment_id"])
    wanted = wanted if _storable(wanted) else None
    registration, deployment_pk = _platform(launch_state.registration_id, wanted, refuse)
    _check_platform(unverified, registration, refuse)
    try:
        key = platform_key(
            registration.keyset_url,
            header["kid"],
            platform=(registration.pk, registration.updated_at.timestamp()),
        )
        claims: dict[str, Any] = decoder.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=registration.client_id,
            issuer=registration.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
        )
    except KeyNotFound as exc:
        raise refuse(f"unknown kid: {exc}") from exc
    except jwt.PyJWTError as exc:
        raise refuse(f"invalid token: {exc}") from exc
    # An azp names the party the token was issued to: when it is there, it must be us,
    # whatever the audiences (OIDC Core 3.1.3.7); several audiences require it.
    if "azp" in claims and claims["azp"] != registration.client_id:
        raise refuse(f"azp {claims['azp']!r} is not our client id")
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and "azp" not in claims:
        raise refuse("several audiences and no azp")
    # PyJWT read iat and exp with int(): a number, or digits in text.
    if int(claims["iat"]) > (timezone.now() + dt.timedelta(seconds=LEEWAY_SECONDS)).timestamp():
        raise refuse("iat in the future")
    # Spent before it is compared with the login's: a signed id_token is used once, whichever
    # process (sharing Redis) or state it is presented with.
    _consume_nonce(registration.issuer, claims["nonce"], int(claims["exp"]), refuse)
    if claims["nonce"] != launch_state.nonce:
        raise refuse("nonce does not match the login")
    deployment_pk = _deployment(registration, claims, (wanted, deployment_pk), refuse)
    _check_message(claims, refuse, _)
    return LaunchData(registration.pk, deployment_pk, claims)


def _peek(id_token: str, refuse: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of ``id_token``, not verified yet (they choose the key).

    Read with the standard library: PyJWT reads the token once, when it verifies it.
    """
    try:
        header, payload = (_segment(part) for part in _parts(id_token)[:2])
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError) as exc:
        raise refuse(f"not a JWT: {exc}") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise refuse("not a JWT: its header or claims are not objects")
    if header.get("alg") != "RS256":
        raise refuse(f"alg {header.get('alg')!r} refused; RS256 only")
    if not header.get("kid") or not isinstance(header["kid"], str):
        raise refuse("no kid in the header, or not text")
    return header, payload


def _parts(id_token: str) -> list[str]:
    parts = id_token.split(".")
    if len(parts) != 3:
        raise ValueError("a JWT has three parts")
    return parts


def _segment(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _consume_state(login: LaunchState | None, refuse: Any) -> LaunchState:
    """Spend the login in flight (a DELETE that only one launch can win); return it."""
    if login is None:
        raise refuse("unknown, expired or already used state")
    now = time_value(timezone.now())
    with driver_cursor() as cursor:  # one statement, its own transaction (autocommit)
        cursor.execute(_sql().spend_login, [login.pk, now])
        deleted = cursor.rowcount
    if deleted != 1:
        raise refuse("unknown, expired or already used state")
    return login


def _spend_bound(state: str, refuse: Any) -> LaunchState:
    """Spend the login in flight that the state cookie tied the browser to; return it."""
    login = spend_bound_login(state)
    if login is None:
        raise refuse("unknown, expired or already used state")
    return login


def _platform(
    registration_id: int, deployment_id: str | None, refuse: Any
) -> tuple[Registration, int | None]:
    """The login's registration, and the primary key of its deployment ``deployment_id``
    (None when it has none of that id), in one statement."""
    row = fetch_one(_sql().platform, [deployment_id, registration_id])
    if row is None:  # removed since the login (its logins with it): no launch to verify
        raise refuse("the platform of this login is no longer registered")
    return _sql().registrations.instance(row[:-1]), row[-1]


def _check_platform(payload: dict[str, Any], registration: Registration, refuse: Any) -> None:
    audience = payload.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if payload.get("iss") != registration.issuer or registration.client_id not in audiences:
        raise refuse("iss or aud does not match the platform that started the login")


def _consume_nonce(issuer: str, nonce: str, expires: int, refuse: Any) -> None:
    try:
        until = dt.datetime.fromtimestamp(expires, dt.UTC) + dt.timedelta(seconds=LEEWAY_SECONDS)
    except (OverflowError, OSError, ValueError) as exc:  # beyond any date a database keeps
        raise refuse(f"exp {expires} is no date") from exc
    if not nonce_consume(issuer=issuer, nonce=str(nonce), expires_at=until):
        raise refuse("nonce already used: a replayed launch")


def _deployment(
    registration: Registration,
    claims: dict[str, Any],
    found: tuple[str | None, int | None],
    refuse: Any,
) -> int:
    """The primary key of the launch's deployment; ``found`` is the deployment id read from
    the token before it was verified, and the primary key found for it (or None)."""
    deployment_id = claims.get(CLAIM["deployment_id"])
    if not _storable(deployment_id):
        raise refuse("no deployment_id, or one no platform could register")
    if found[1] is not None and found[0] == deployment_id:
        return found[1]
    deployment = one_or_none(registration.deployments.filter(deployment_id=deployment_id))
    if deployment is None and registration.accept_new_deployments:
        deployment, _ = Deployment.objects.get_or_create(
            registration=registration, deployment_id=deployment_id
        )
    if deployment is None:
        raise refuse(f"unknown deployment {deployment_id!r}")
    return int(deployment.pk)


def _storable(value: Any) -> bool:
    """True for a deployment id a ``Deployment`` row can hold: text of 1 to 255 characters,
    UTF-8 (no lone surrogate) and no NUL (PostgreSQL refuses both)."""
    if not isinstance(value, str) or not 0 < len(value) <= DEPLOYMENT_ID_LENGTH:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


@dataclass(frozen=True)
class _Statements:
    """The launch's statements, written once (:mod:`lti.services.raw_rows`)."""

    spend_login: str
    registrations: Columns[Registration]
    platform: str


@cache
def _sql() -> _Statements:
    used = ("issuer", "client_id", "keyset_url", "updated_at", "accept_new_deployments")
    registrations = Columns(Registration, "r", only=used)
    deployment = column(Deployment, "deployment_id")
    return _Statements(
        spend_login=(
            f"DELETE FROM {table(LaunchState)} "
            f"WHERE id = %s AND {column(LaunchState, 'expires_at')} > %s"
        ),
        registrations=registrations,
        platform=(
            f"SELECT {registrations.sql}, d.id FROM {table(Registration)} r "
            f"LEFT JOIN {table(Deployment)} d "
            f"ON d.{column(Deployment, 'registration')} = r.id AND d.{deployment} = %s "
            "WHERE r.id = %s"
        ),
    )


def _check_message(claims: dict[str, Any], refuse: Any, _: Gettext) -> None:
    if claims.get(CLAIM["version"]) != "1.3.0":
        raise refuse(f"version {claims.get(CLAIM['version'])!r} is not 1.3.0")
    message_type = claims.get(CLAIM["message_type"])
    if message_type not in (RESOURCE_LINK, DEEP_LINKING):
        raise refuse(f"message type {message_type!r} not supported")
    if not isinstance(claims.get(CLAIM["roles"]), list):
        raise refuse("no roles claim")
    if not claims.get("sub"):
        raise refuse("no sub: Koula needs to know who the learner is")
    if message_type == RESOURCE_LINK:
        link = claims.get(CLAIM["resource_link"])
        if not isinstance(link, dict) or not link.get("id"):
            raise refuse("no resource_link.id")
        if not claims.get(CLAIM["target_link_uri"]):
            raise refuse("no target_link_uri")
    else:
        settings = claims.get(CLAIM["deep_linking"])
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            raise refuse("no deep_link_return_url")
