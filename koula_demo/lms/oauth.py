"""The OAuth2 token endpoint (client credentials with a JWT client assertion), strictly.

``lti1p3platform``'s ``get_access_token`` verifies the assertion's signature against the
tool's JWKS and signs the access token, but checks neither ``client_assertion_type``,
``aud``, ``iss``/``sub``, the presence of ``exp`` nor ``jti`` reuse: those checks are here.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import jwt
import requests
from lti1p3platform.exceptions import LtiException
from werkzeug.wrappers import Request, Response

from .constants import CLIENT_ASSERTION_TYPE, FORM_URLENCODED, SERVICE_SCOPES
from .keys import SigningKey
from .library import HarnessPlatformConfig
from .models import AccessGrant
from .web import HttpError, json_response

if TYPE_CHECKING:
    from .harness import Platform

EXPIRES_IN = 3600
_REQUIRED = ("grant_type", "client_assertion_type", "client_assertion", "scope")


class Grants:
    """Issued access tokens and the assertion ``jti`` values already seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._grants: dict[str, AccessGrant] = {}
        self._seen_jti: set[str] = set()
        self.issued = 0

    def consume_jti(self, jti: str) -> bool:
        """``True`` the first time ``jti`` is seen, ``False`` on a replay."""
        with self._lock:
            if jti in self._seen_jti:
                return False
            self._seen_jti.add(jti)
            return True

    def record(self, token: str, client_id: str, scopes: str, key: SigningKey) -> None:
        with self._lock:
            self._grants[token] = AccessGrant(
                token, client_id, frozenset(scopes.split()), time.time() + EXPIRES_IN, key
            )
            self.issued += 1

    def find(self, token: str) -> AccessGrant | None:
        with self._lock:
            grant = self._grants.get(token)
        return grant if grant and grant.expires_at > time.time() else None


def handle_token(platform: Platform, request: Request) -> Response:
    """``POST /token``: check the request and the assertion, then issue a Bearer token."""
    if request.mimetype != FORM_URLENCODED:
        raise HttpError(400, "invalid_request", f"Content-Type must be {FORM_URLENCODED}")
    form = request.form.to_dict()
    missing = [name for name in _REQUIRED if not form.get(name)]
    if missing:
        raise HttpError(400, "invalid_request", f"missing {', '.join(missing)}")
    if form["grant_type"] != "client_credentials":
        raise HttpError(400, "unsupported_grant_type", "grant_type must be client_credentials")
    if form["client_assertion_type"] != CLIENT_ASSERTION_TYPE:
        raise HttpError(
            400, "invalid_request", f"client_assertion_type must be {CLIENT_ASSERTION_TYPE}"
        )
    unknown = [scope for scope in form["scope"].split() if scope not in SERVICE_SCOPES]
    if unknown:
        raise HttpError(400, "invalid_scope", f"unknown scopes {unknown}")
    config = _verified_config(platform, form["client_assertion"])
    answer = config.get_access_token(form)
    platform.grants.record(answer["access_token"], config.client_id, answer["scope"], config.key)
    body: dict[str, Any] = {**answer, "token_type": "Bearer", "expires_in": EXPIRES_IN}
    return json_response(body, headers={"Cache-Control": "no-store"})


def _verified_config(platform: Platform, assertion: str) -> HarnessPlatformConfig:
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise HttpError(400, "invalid_client", f"client_assertion is not a JWT: {error}") from error
    client_id = unverified.get("sub")
    tool = platform.tools.get(client_id) if isinstance(client_id, str) else None
    if tool is None:
        raise HttpError(400, "invalid_client", f"unknown client {client_id!r}")
    if not tool.active:
        raise HttpError(400, "invalid_client", "the tool is pending activation")
    config = HarnessPlatformConfig(platform=platform, tool=tool)
    try:
        claims = config.tool_validate_and_decode(assertion)
    except (LtiException, jwt.PyJWTError, requests.RequestException) as error:
        raise HttpError(400, "invalid_client", f"client_assertion rejected: {error}") from error
    problems = []
    if claims.get("iss") != tool.client_id:
        problems.append("iss must be the client_id")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if platform.token_url not in audiences:
        problems.append(f"aud must be the token URL {platform.token_url}")
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] <= time.time():
        problems.append("exp is required and must lie in the future")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        problems.append("jti is required")
    elif not problems and not platform.grants.consume_jti(jti):
        problems.append(f"jti {jti!r} was already used")
    if problems:
        raise HttpError(400, "invalid_client", "; ".join(problems))
    return config
