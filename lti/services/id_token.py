"""Validating a launch's ``id_token`` as LTI 1.3 and its certification tests require.

RS256 only; the key chosen by ``kid`` from the platform's JWKS; ``iss`` exact;
``aud`` holding our client id; ``azp``, when present (and it must be with several
audiences), equal to it; ``exp`` and ``iat`` with a small leeway; ``state`` issued
by us and consumed once; ``nonce`` matching it and never seen before; a known
deployment; version 1.3.0; the claims each message type requires. Any failure raises
:class:`~lti.errors.LaunchRefused` with a message for the person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jwt
from django.db import transaction
from django.utils import timezone

from koula.messages import Gettext, gettext_for
from lti.claims import CLAIM, DEEP_LINKING, RESOURCE_LINK, LaunchData
from lti.errors import LaunchRefused
from lti.models import Deployment, LaunchState, Registration
from lti.platform_keys import KeyNotFound, platform_key
from lti.services.nonces import nonce_consume

__all__ = ["LEEWAY_SECONDS", "validate_launch"]

LEEWAY_SECONDS = 60


def validate_launch(id_token: str, state: str, *, language: str) -> LaunchData:
    """Return the verified launch; raise LaunchRefused (never anything else) when it is bad."""
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
    launch_state = _consume_state(state, refuse)
    registration = _registration(unverified, launch_state, refuse)
    try:
        key = platform_key(
            registration.keyset_url,
            str(header.get("kid")),
            platform=(registration.pk, registration.updated_at.timestamp()),
        )
        claims: dict[str, Any] = jwt.decode(
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
    if claims.get("iat", 0) > (timezone.now() + dt.timedelta(seconds=LEEWAY_SECONDS)).timestamp():
        raise refuse("iat in the future")
    # Spent before it is compared with the login's: a signed id_token is used once, whichever
    # process (sharing Redis) or state it is presented with.
    _consume_nonce(registration.issuer, claims["nonce"], claims["exp"], refuse)
    if claims["nonce"] != launch_state.nonce:
        raise refuse("nonce does not match the login")
    deployment = _deployment(registration, claims, refuse)
    _check_message(claims, refuse, _)
    return LaunchData(registration.pk, deployment.pk, claims)


def _peek(id_token: str, refuse: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(id_token)
        payload = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise refuse(f"not a JWT: {exc}") from exc
    if header.get("alg") != "RS256":
        raise refuse(f"alg {header.get('alg')!r} refused; RS256 only")
    if not header.get("kid"):
        raise refuse("no kid in the header")
    return header, payload


def _consume_state(state: str, refuse: Any) -> LaunchState:
    with transaction.atomic():
        found = (
            LaunchState.objects.select_for_update()
            .filter(state=state, expires_at__gt=timezone.now())
            .select_related("registration")
            .first()
        )
        if found is None or not state:
            raise refuse("unknown, expired or already used state")
        found.delete()
    return found


def _registration(payload: dict[str, Any], launch_state: LaunchState, refuse: Any) -> Registration:
    registration = launch_state.registration
    audience = payload.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if payload.get("iss") != registration.issuer or registration.client_id not in audiences:
        raise refuse("iss or aud does not match the platform that started the login")
    return registration


def _consume_nonce(issuer: str, nonce: str, expires: int, refuse: Any) -> None:
    expires_at = dt.datetime.fromtimestamp(expires, dt.UTC) + dt.timedelta(seconds=LEEWAY_SECONDS)
    if not nonce_consume(issuer=issuer, nonce=str(nonce), expires_at=expires_at):
        raise refuse("nonce already used: a replayed launch")


def _deployment(registration: Registration, claims: dict[str, Any], refuse: Any) -> Deployment:
    deployment_id = claims.get(CLAIM["deployment_id"])
    if not isinstance(deployment_id, str) or not deployment_id:
        raise refuse("no deployment_id")
    deployment = registration.deployments.filter(deployment_id=deployment_id).first()
    if deployment is None and registration.accept_new_deployments:
        deployment, _ = Deployment.objects.get_or_create(
            registration=registration, deployment_id=deployment_id
        )
    if deployment is None:
        raise refuse(f"unknown deployment {deployment_id!r}")
    return deployment


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
