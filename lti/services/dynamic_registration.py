"""LTI Dynamic Registration 1.0: the platform opens an admin's registration link
(``/lti/register/<token>``, see :mod:`lti.services.invitations`) and Koula registers itself.

Steps (``lti.md``, "Dynamic Registration"): check the invitation (before any outbound
request), check the query, fetch the platform's OpenID configuration (its ``issuer`` must
have the configuration URL's origin), POST the tool's client metadata to the
``registration_endpoint`` with the registration token as Bearer, and store the
``client_id`` and deployment it answers, spending the invitation in the same transaction.
Every failure raises :class:`~lti.errors.RegistrationFailed` (or, for the invitation,
:class:`~lti.errors.InvitationRefused`) in the admin's language, with the technical detail
kept for the log, so nothing here can become a 500.

The outbound part (the two requests) runs under the outbound policy (:mod:`lti.http`: no
private address, one deadline per request, a size cap) within a time budget for both
(:data:`BUDGET_TIMEOUTS` times ``KOULA_HTTP_TIMEOUT``), and at most
``KOULA_REGISTRATION_SLOTS`` registrations of a process do it at once: another one gets
:class:`~lti.errors.RegistrationBusy` (503, ``Retry-After``) at once, so slow platforms
cannot take every thread of the web server.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import DatabaseError, transaction

from koula.messages import Gettext, gettext_for
from lti.ags import SCOPE_LINEITEM, SCOPE_MEMBERSHIP, SCOPE_SCORE
from lti.claims import DEEP_LINKING, RESOURCE_LINK
from lti.config import ConfigError, check_url
from lti.errors import RegistrationBusy, RegistrationFailed
from lti.http import http_get, http_post
from lti.models import Registration
from lti.outbound import OutboundRefused
from lti.platform_keys import forget_keys
from lti.services.invitations import invitation_require, invitation_spend
from lti.services.registrations import platform_add

__all__ = ["Registered", "client_metadata", "register_with_platform"]

log = logging.getLogger(__name__)

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = (
    SCOPE_LINEITEM,
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    SCOPE_SCORE,
    SCOPE_MEMBERSHIP,
)
CLAIMS = ["iss", "sub", "name", "given_name", "family_name", "email", "locale"]
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL, MAX_ID, MAX_NAME = 500, 255, 200  # the lengths of the Registration columns
MAX_ANSWER_BYTES = 1_000_000
BUDGET_TIMEOUTS = 2  # the configuration and the registration requests, one timeout each
Fail = Callable[[str, str], RegistrationFailed]  # (message for the admin, detail for the log)
Failed = Callable[[str, BaseException | None], RegistrationFailed]  # (detail, cause)
_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


@dataclass(frozen=True)
class Registered:
    """What the platform gave Koula: shown on the page that ends the registration."""

    issuer: str
    client_id: str
    deployment_id: str  # empty when the platform gave none: the first launch's is accepted
    platform_name: str


def register_with_platform(
    openid_configuration: str, registration_token: str, *, invitation: str, language: str
) -> Registered:
    """Run the whole registration; raise RegistrationFailed or InvitationRefused (never
    anything else) on failure.

    ``invitation`` is the token of the admin's registration link: unless it names an open
    invitation, InvitationRefused is raised before any outbound request; the registration
    is stored only by spending it (see ``_store``).
    """
    invitation_require(invitation, language=language)
    _ = gettext_for(language)

    def fail(message: str, detail: str) -> RegistrationFailed:
        if registration_token:  # never in the log, even inside an error's text
            detail = detail.replace(registration_token, "<registration_token>")
        return RegistrationFailed(message, language=language, detail=detail)

    if not openid_configuration or not registration_token:
        raise fail(
            _(
                "This registration link is incomplete: it needs openid_configuration and "
                "registration_token. Start the registration again from your platform."
            ),
            "missing query parameter",
        )
    if not _acceptable_url(openid_configuration, max_length=2000):
        raise fail(
            _(
                "The platform's configuration address must use https:// (plain http:// is "
                "accepted only on 127.0.0.1, localhost and [::1]). Check the address and "
                "start the registration again."
            ),
            f"openid_configuration={_safe(openid_configuration)!r}",
        )
    with _registration_slot(language):
        until = time.monotonic() + BUDGET_TIMEOUTS * settings.KOULA_HTTP_TIMEOUT
        configuration = _fetch_configuration(
            openid_configuration, registration_token, fail, _, until
        )
        answer = _post_metadata(configuration, registration_token, fail, _, until)
    return _store(
        configuration,
        answer,
        fail,
        _,
        invitation=invitation,
        language=language,
        configuration_url=openid_configuration,
    )


@contextmanager
def _registration_slot(language: str) -> Iterator[None]:
    """Hold one of the process's ``KOULA_REGISTRATION_SLOTS``; raise RegistrationBusy when
    none is free (the request is answered at once instead of waiting)."""
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(settings.KOULA_REGISTRATION_SLOTS, 1))
        slots = _slots
    if not slots.acquire(blocking=False):
        _ = gettext_for(language)
        raise RegistrationBusy(
            _(
                "Koula is busy with other registrations right now. Wait a minute, then start "
                "the registration again from your platform."
            ),
            language=language,
            detail="every registration slot is taken",
        )
    try:
        yield
    finally:
        slots.release()


def client_metadata(scopes_supported: object = None) -> dict[str, Any]:
    """The tool's client metadata; ``scope`` keeps only the scopes the platform lists (if any)."""
    base = settings.BASE_URL
    launch = f"{base}/lti/launch"
    scopes = [
        scope
        for scope in SCOPES
        if not isinstance(scopes_supported, list) or scope in scopes_supported
    ]
    metadata: dict[str, Any] = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base}/lti/login",
        "redirect_uris": [launch],
        "client_name": "Koula",
        "client_name#fr": "Koula",
        "jwks_uri": f"{base}/lti/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(base).netloc,
            "target_link_uri": launch,
            "claims": CLAIMS,
            "messages": [
                {
                    "type": DEEP_LINKING,
                    "target_link_uri": launch,
                    "label": "Koula",
                    "placements": ["ContentArea"],
                },
                {"type": RESOURCE_LINK, "target_link_uri": launch},
            ],
        },
    }
    for language, key in (("en", "description"), ("fr", "description#fr")):
        _ = gettext_for(language)
        description = _(
            "Practice cards, experiments and returns for teams, with grades sent to the course."
        )
        if key == "description" or description != metadata[TOOL_CONFIGURATION]["description"]:
            metadata[TOOL_CONFIGURATION][key] = description
    return metadata


def _fetch_configuration(
    url: str, token: str, fail: Fail, _: Gettext, until: float
) -> dict[str, Any]:
    """The platform's OpenID configuration, checked: same-origin issuer, usable endpoints."""
    unreadable = _(
        "Koula could not read the platform's configuration. Check that the platform is "
        "reachable and start the registration again."
    )
    configuration = _json_object(
        lambda: http_get(
            url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            until=until,
            max_bytes=MAX_ANSWER_BYTES,
        ),
        lambda detail, cause: fail(_refused(cause, _) or unreadable, f"GET {_safe(url)}: {detail}"),
    )
    issuer = configuration.get("issuer")
    if not isinstance(issuer, str) or not _acceptable_url(issuer) or not _same_origin(issuer, url):
        raise fail(
            _(
                "The platform's configuration names an issuer that does not match the "
                "address it was read from, so Koula did not register it."
            ),
            f"issuer {str(issuer)[:200]!r} is not on the origin of {_safe(url)!r}",
        )
    bad = [name for name in ENDPOINTS if not _acceptable_url(configuration.get(name))]
    if bad:
        raise fail(
            _(
                "The platform's configuration lacks an address Koula needs (authorization, "
                "token, keys or registration), or one of them does not use https://."
            ),
            f"missing or unusable: {', '.join(bad)}",
        )
    return configuration


def _post_metadata(
    configuration: dict[str, Any], token: str, fail: Fail, _: Gettext, until: float
) -> dict[str, Any]:
    """POST the client metadata; return the platform's answer, which must hold a client_id."""
    endpoint = configuration["registration_endpoint"]
    refused = _(
        "The platform did not accept Koula's registration. Start the registration again "
        "from your platform; if it fails again, tell your platform's administrators."
    )
    answer = _json_object(
        lambda: http_post(
            endpoint,
            json=client_metadata(configuration.get("scopes_supported")),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            until=until,
            max_bytes=MAX_ANSWER_BYTES,
        ),
        lambda detail, cause: fail(
            _refused(cause, _) or refused, f"POST {_safe(endpoint)}: {detail}"
        ),
    )
    client_id = answer.get("client_id")
    if isinstance(client_id, int) and not isinstance(client_id, bool):
        answer["client_id"] = client_id = str(client_id)
    if not isinstance(client_id, str) or not client_id or len(client_id) > MAX_ID:
        raise fail(refused, f"POST {_safe(endpoint)}: no usable client_id in the answer")
    return answer


def _store(
    configuration: dict[str, Any],
    answer: dict[str, Any],
    fail: Fail,
    _: Gettext,
    *,
    invitation: str,
    language: str,
    configuration_url: str,
) -> Registered:
    """Save the registration, with the answered deployment or accepting the first launch's.

    The registration and the spending of its invitation are one transaction: both or
    neither. Of two registrations completing with one invitation, the second raises
    InvitationRefused and stores nothing (``invitation_spend`` says how).
    """
    tool_configuration = answer.get(TOOL_CONFIGURATION)
    deployment_id = (
        tool_configuration.get("deployment_id") if isinstance(tool_configuration, dict) else None
    )
    if not isinstance(deployment_id, str) or len(deployment_id) > MAX_ID:
        deployment_id = ""
    platform = configuration.get(PLATFORM_CONFIGURATION)
    family = platform.get("product_family_code") if isinstance(platform, dict) else None
    name = family[:MAX_NAME] if isinstance(family, str) else ""
    urls = {
        "issuer": configuration["issuer"],
        "auth_login_url": configuration["authorization_endpoint"],
        "auth_token_url": configuration["token_endpoint"],
        "keyset_url": configuration["jwks_uri"],
    }
    try:
        with transaction.atomic():
            if deployment_id:
                registration, _created = platform_add(
                    client_id=answer["client_id"],
                    deployment_id=deployment_id,
                    name=name,
                    added_by_admin=False,
                    configuration_url=configuration_url[:MAX_URL],
                    **urls,
                )
            else:
                registration, _created = Registration.objects.update_or_create(
                    issuer=urls.pop("issuer"),
                    client_id=answer["client_id"],
                    defaults={
                        **urls,
                        "name": name,
                        "accept_new_deployments": True,
                        "configuration_url": configuration_url[:MAX_URL],
                    },
                )
            invitation_spend(invitation, registration, language=language)
        forget_keys()
    except (ConfigError, DatabaseError, ValueError) as exc:
        log.exception("dynamic registration of %s could not be stored", configuration["issuer"])
        raise fail(
            _("Koula could not save this registration. Try again in a moment."),
            f"store: {type(exc).__name__}",
        ) from exc
    log.info(
        "registered by dynamic registration: %s client_id=%s deployment=%s",
        configuration["issuer"],
        answer["client_id"],
        deployment_id or "(first launch's)",
    )
    return Registered(configuration["issuer"], answer["client_id"], deployment_id, name)


def _refused(cause: BaseException | None, _: Gettext) -> str:
    """The admin's message when the outbound policy refused the call (else empty)."""
    if not isinstance(cause, OutboundRefused):
        return ""
    return _(
        "Koula does not call this platform's address: it is on a private or local network, "
        "or it redirects to another site. If the platform really is on your private "
        "network, ask Koula's administrator to list its host in KOULA_PRIVATE_HOSTS or to "
        "register it with 'koula platforms add'."
    )


def _json_object(call: Callable[[], requests.Response], fail: Failed) -> dict[str, Any]:
    """The JSON object a 2xx answer of ``call()`` holds; else raise ``fail(detail, cause)``.

    ``call`` reads at most ``MAX_ANSWER_BYTES`` (the outbound policy's cap), so a platform
    cannot flood the tool.
    """
    try:
        response = call()
    except requests.RequestException as exc:
        raise fail(f"{type(exc).__name__}: {str(exc)[:300]}", exc) from exc
    content, status = response.content, response.status_code
    excerpt = repr(content[:300])
    if not 200 <= status < 300:
        raise fail(f"HTTP {status}: {excerpt}", None)
    try:
        body = json.loads(content)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
        raise fail(f"not JSON: {excerpt}", exc) from exc
    if not isinstance(body, dict):
        raise fail(f"not a JSON object: {excerpt}", None)
    return body


def _acceptable_url(url: object, *, max_length: int = MAX_URL) -> bool:
    """True for an https URL (http on loopback) no longer than ``max_length``."""
    if not isinstance(url, str) or len(url) > max_length:
        return False
    try:
        check_url(url, "url")
    except ValueError:  # ConfigError is a ValueError
        return False
    # Whether the tool may call it (no private or local address) is the outbound policy's
    # to say, from the addresses the host resolves to, when it is called.
    return True


def _same_origin(first: str, second: str) -> bool:
    def origin(url: str) -> tuple[str, str, int | None]:
        parts = urlsplit(url)
        return (
            parts.scheme.lower(),
            (parts.hostname or "").lower(),
            (parts.port or DEFAULT_PORTS.get(parts.scheme.lower())),
        )

    return origin(first) == origin(second)


def _safe(url: str) -> str:
    """``url`` without its query (Canvas puts the registration token there), for the log."""
    return url.split("?", 1)[0][:300]
