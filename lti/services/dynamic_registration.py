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
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.db import DatabaseError, transaction

from koula.messages import Gettext, gettext_for
from lti.ags import SCOPE_LINEITEM, SCOPE_MEMBERSHIP, SCOPE_SCORE
from lti.claims import DEEP_LINKING, RESOURCE_LINK
from lti.config import LOOPBACK_HOSTS, ConfigError, check_url
from lti.errors import RegistrationFailed
from lti.http import http_get, http_post
from lti.models import Registration
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
Fail = Callable[[str, str], RegistrationFailed]  # (message for the admin, detail for the log)


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
    configuration = _fetch_configuration(openid_configuration, registration_token, fail, _)
    answer = _post_metadata(configuration, registration_token, fail, _)
    return _store(configuration, answer, fail, _, invitation=invitation, language=language)


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


def _fetch_configuration(url: str, token: str, fail: Fail, _: Gettext) -> dict[str, Any]:
    """The platform's OpenID configuration, checked: same-origin issuer, usable endpoints."""
    unreadable = _(
        "Koula could not read the platform's configuration. Check that the platform is "
        "reachable and start the registration again."
    )
    configuration = _json_object(
        lambda: http_get(
            url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            allow_redirects=False,
            stream=True,
        ),
        lambda detail: fail(unreadable, f"GET {_safe(url)}: {detail}"),
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
    configuration: dict[str, Any], token: str, fail: Fail, _: Gettext
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
            allow_redirects=False,
            stream=True,
        ),
        lambda detail: fail(refused, f"POST {_safe(endpoint)}: {detail}"),
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
                    client_id=answer["client_id"], deployment_id=deployment_id, name=name, **urls
                )
            else:
                registration, _created = Registration.objects.update_or_create(
                    issuer=urls.pop("issuer"),
                    client_id=answer["client_id"],
                    defaults={**urls, "name": name, "accept_new_deployments": True},
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


def _json_object(
    call: Callable[[], requests.Response], fail: Callable[[str], RegistrationFailed]
) -> dict[str, Any]:
    """The JSON object a 2xx answer of ``call()`` holds; else raise ``fail(detail)``.

    At most ``MAX_ANSWER_BYTES`` are read, so a platform cannot flood the tool.
    """
    try:
        with call() as response:
            content = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
            status = response.status_code
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        raise fail(f"{type(exc).__name__}: {str(exc)[:300]}") from exc
    excerpt = repr(content[:300])
    if not 200 <= status < 300:
        raise fail(f"HTTP {status}: {excerpt}")
    if len(content) > MAX_ANSWER_BYTES:
        raise fail(f"answer longer than {MAX_ANSWER_BYTES} bytes")
    try:
        body = json.loads(content)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested JSON
        raise fail(f"not JSON: {excerpt}") from exc
    if not isinstance(body, dict):
        raise fail(f"not a JSON object: {excerpt}")
    return body


def _acceptable_url(url: object, *, max_length: int = MAX_URL) -> bool:
    """True for an https URL (http on loopback) no longer than ``max_length``."""
    if not isinstance(url, str) or len(url) > max_length:
        return False
    try:
        check_url(url, "url")
        host = urlsplit(url).hostname
        urlsplit(url).port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:  # ConfigError is a ValueError
        return False
    # Anyone can make the tool fetch these URLs: a public tool never calls its own host.
    tool_host = urlsplit(settings.BASE_URL).hostname
    return host not in LOOPBACK_HOSTS or tool_host in LOOPBACK_HOSTS


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
