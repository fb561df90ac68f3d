"""Assignment and Grade Services client: access tokens, line items, scores.

Access tokens come from the platform's token URL with a ``client_credentials``
grant and a JWT client assertion signed by the tool; they are cached per
``(issuer, client_id, token URL, scopes)`` until shortly before they expire,
never fetched per score. The cache is Django's: in each process by default, in
Redis when ``KOULA_REDIS_URL`` is set, so every process and worker shares one
token; while one of them asks for it, the others wait for it (briefly) instead
of asking too.

Every call goes under the outbound policy (:mod:`lti.http`), and a line item URL is used
only on an origin the registration trusts (:func:`lti.origins.require_trusted`): otherwise
:class:`~lti.origins.UntrustedService` (scores) or :class:`AgsError` (results, line items)
is raised before anything is sent. Each function takes the ``transport`` its requests go
through (:class:`lti.outbound.Transport`; the network unless a test gives a platform).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from django.conf import settings
from django.core.cache import cache

from lti.http import http_get, http_post
from lti.keys import sign
from lti.models import Registration
from lti.origins import UntrustedService, require_trusted
from lti.outbound import Transport, send

__all__ = [
    "SCOPE_LINEITEM",
    "SCOPE_MEMBERSHIP",
    "SCOPE_RESULT",
    "SCOPE_SCORE",
    "AgsError",
    "access_token",
    "create_lineitem",
    "current_result",
    "forget_token",
    "post_score",
    "scores_url",
]

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_MEMBERSHIP = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
EARLY_EXPIRY_SECONDS = 60
WAIT_STEP_SECONDS = 0.05


class AgsError(RuntimeError):
    """The platform refused or did not answer a token request."""


def _cache_key(registration: Registration, scopes: tuple[str, ...]) -> str:
    raw = "\n".join(
        [registration.issuer, registration.client_id, registration.auth_token_url, *sorted(scopes)]
    )
    return "koula:ags-token:" + hashlib.sha256(raw.encode()).hexdigest()


def access_token(
    registration: Registration,
    scopes: tuple[str, ...],
    *,
    until: float | None = None,
    transport: Transport = send,
) -> str:
    """Return a cached or fresh access token for ``scopes``; raise AgsError.

    ``until`` (a :func:`time.monotonic` instant) is the caller's budget: neither the wait
    nor the request outlasts it.

    One process or thread at a time asks the platform (a marker added atomically in the
    cache); the others poll the cache meanwhile, and ask themselves only if the marker
    goes without a token or the request outlives the HTTP timeout.
    """
    key = _cache_key(registration, scopes)
    deadline = time.monotonic() + settings.KOULA_HTTP_TIMEOUT
    if until is not None:
        deadline = min(deadline, until)
    while True:
        token = cache.get(key)
        if token:
            return str(token)
        if cache.add(key + ":asking", 1, int(settings.KOULA_HTTP_TIMEOUT) + 1):
            try:
                return _request_token(registration, scopes, key, until, transport)
            finally:
                cache.delete(key + ":asking")
        if time.monotonic() > deadline:
            return _request_token(registration, scopes, key, until, transport)
        time.sleep(WAIT_STEP_SECONDS)


def _request_token(
    registration: Registration,
    scopes: tuple[str, ...],
    key: str,
    until: float | None,
    transport: Transport,
) -> str:
    now = int(time.time())
    assertion = sign(
        {
            "iss": registration.client_id,
            "sub": registration.client_id,
            "aud": registration.auth_token_url,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_urlsafe(24),
        }
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
        "scope": " ".join(sorted(scopes)),
    }
    try:
        response = http_post(
            registration.auth_token_url,
            registration=registration,
            data=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            until=until,
            transport=transport,
        )
        body = response.json() if response.ok else {}
    except (requests.RequestException, ValueError, RecursionError) as exc:
        raise AgsError(f"token request failed: {exc}") from exc
    if not response.ok or not isinstance(body, dict) or "access_token" not in body:
        raise AgsError(f"token request refused: HTTP {response.status_code} {response.text[:200]}")
    lifetime = int(body.get("expires_in", 3600)) - EARLY_EXPIRY_SECONDS
    if lifetime > 0:
        cache.set(key, body["access_token"], lifetime)
    return str(body["access_token"])


def _trusted(registration: Registration, url: str, service: str) -> None:
    try:
        require_trusted(registration, url, service)
    except UntrustedService as exc:
        raise AgsError(str(exc)) from exc


def forget_token(registration: Registration, scopes: tuple[str, ...]) -> None:
    cache.delete(_cache_key(registration, scopes))


def scores_url(lineitem_url: str, service: str = "scores", query: str = "") -> str:
    """Return ``{lineitem}/scores``, keeping a query string (Moodle's ``?type_id=N``) after it."""
    parts = urlsplit(lineitem_url)
    joined = "&".join(q for q in (parts.query, query) if q)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + f"/{service}", query=joined))


def current_result(
    registration: Registration, lineitem_url: str, user_id: str, *, transport: Transport = send
) -> Any:
    """Return the platform's current result for ``user_id`` (or None); raise AgsError."""
    _trusted(registration, lineitem_url, "AGS line item")
    token = access_token(registration, (SCOPE_RESULT,), transport=transport)
    url = scores_url(lineitem_url, "results", urlencode({"user_id": user_id}))
    try:
        response = http_get(
            url,
            registration=registration,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.ims.lis.v2.resultcontainer+json",
            },
            transport=transport,
        )
        results = response.json() if response.ok else None
    except (requests.RequestException, ValueError, RecursionError) as exc:
        raise AgsError(f"results request failed: {exc}") from exc
    if not isinstance(results, list):
        raise AgsError(f"results request refused: HTTP {response.status_code}")
    return next((r for r in results if isinstance(r, dict) and r.get("userId") == user_id), None)


def post_score(
    registration: Registration,
    lineitem_url: str,
    payload: dict[str, Any],
    *,
    transport: Transport = send,
) -> Any:
    """POST one score; return the response (raise requests exceptions on network failure,
    UntrustedService, one of them, when ``lineitem_url`` is on an untrusted origin)."""
    require_trusted(registration, lineitem_url, "AGS line item")
    token = access_token(registration, (SCOPE_SCORE,), transport=transport)
    return http_post(
        scores_url(lineitem_url),
        registration=registration,
        json=payload,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/vnd.ims.lis.v1.score+json",
        },
        transport=transport,
    )


def create_lineitem(
    registration: Registration,
    lineitems_url: str,
    *,
    label: str,
    score_maximum: float,
    resource_link_id: str,
    transport: Transport = send,
) -> str:
    """Create a line item in the container ``lineitems_url``; return its URL; raise AgsError."""
    _trusted(registration, lineitems_url, "AGS line items")
    token = access_token(registration, (SCOPE_LINEITEM,), transport=transport)
    body = {
        "label": label or "Koula",
        "scoreMaximum": score_maximum,
        "resourceLinkId": resource_link_id,
        "tag": "koula",
        "resourceId": resource_link_id,
    }
    try:
        response = http_post(
            lineitems_url,
            registration=registration,
            json=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/vnd.ims.lis.v2.lineitem+json",
                "Accept": "application/vnd.ims.lis.v2.lineitem+json",
            },
            transport=transport,
        )
        created = response.json() if response.ok else {}
    except (requests.RequestException, ValueError, RecursionError) as exc:
        raise AgsError(f"line item creation failed: {exc}") from exc
    if not isinstance(created, dict) or not created.get("id"):
        raise AgsError(f"line item creation refused: HTTP {response.status_code}")
    return str(created["id"])
