"""The origins a registration trusts for its services, and the hosts it may reach privately.

A launch names the URLs of its services (AGS ``lineitems`` and ``lineitem``, NRPS
``context_memberships_url``), and the tool calls them with its own access tokens. It does
so only when a URL's origin (scheme, host, port) is one the registration trusts
(:func:`trusted_origins`): the origins of its issuer, login, token and keys URLs, the
origin dynamic registration read its OpenID configuration from (Canvas serves its services
there), and the origins an administrator added (``koula platforms add --service-origin``,
``koula platforms trust-origin``). Any other URL raises :class:`UntrustedService` before
anything is sent, and the log names it.

:func:`private_hosts` gives the hosts the outbound policy lets resolve to private,
loopback or link-local addresses for this registration: those an administrator named
(every host of a registration made with ``koula platforms add``, and the origins added by
hand).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol
from urllib.parse import urlsplit

from lti.addresses import origin
from lti.outbound import OutboundRefused

__all__ = [
    "RegistrationOrigins",
    "UntrustedService",
    "private_hosts",
    "require_trusted",
    "service_refusal",
    "trusted_origins",
]

log = logging.getLogger(__name__)


class RegistrationOrigins(Protocol):
    """What of a :class:`~lti.models.Registration` decides its trusted origins."""

    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    keyset_url: str
    configuration_url: str
    service_origins: Any  # a JSON list of origins
    added_by_admin: bool


class UntrustedService(OutboundRefused):
    """A service URL from a launch whose origin the registration does not trust."""


def _origins(urls: list[Any]) -> frozenset[str]:
    found = set()
    for url in urls:
        if isinstance(url, str) and url:
            try:
                found.add(origin(url))
            except ValueError:
                continue
    return frozenset(found)


def trusted_origins(registration: RegistrationOrigins) -> frozenset[str]:
    """Every origin whose service URLs the tool may call for ``registration``."""
    added = registration.service_origins if isinstance(registration.service_origins, list) else []
    return _origins(
        [
            registration.issuer,
            registration.auth_login_url,
            registration.auth_token_url,
            registration.keyset_url,
            registration.configuration_url,
            *added,
        ]
    )


def service_refusal(registration: RegistrationOrigins, url: str) -> str | None:
    """None when ``url`` may be called for ``registration``; else why not (for the log)."""
    try:
        found = origin(url)
    except ValueError:
        return "it is not an http(s) URL"
    if found in trusted_origins(registration):
        return None
    return f"its origin {found} is not one this registration trusts"


def require_trusted(registration: RegistrationOrigins, url: str, service: str) -> None:
    """Return if ``url`` may be called; else log it and raise UntrustedService.

    ``service`` names the service in the message (``"AGS line item"``...).
    """
    reason = service_refusal(registration, url)
    if reason is None:
        return
    log.warning(
        "%s URL %s refused for %s (client_id %s): %s",
        service,
        url[:500],
        registration.issuer,
        registration.client_id,
        reason,
    )
    raise UntrustedService(
        f"{service} URL {url[:300]} not used: {reason} (an administrator can add it with "
        f"'koula platforms trust-origin {registration.client_id} ORIGIN')"
    )


def private_hosts(registration: RegistrationOrigins | None) -> frozenset[str]:
    """The hosts an administrator named for ``registration``: they may be on a private
    network (every host of a registration added by hand, and the origins added by hand)."""
    if registration is None:
        return frozenset()
    urls: list[Any] = (
        list(registration.service_origins) if isinstance(registration.service_origins, list) else []
    )
    if registration.added_by_admin:
        urls += [
            registration.issuer,
            registration.auth_login_url,
            registration.auth_token_url,
            registration.keyset_url,
        ]
    hosts = set()
    for url in urls:
        if isinstance(url, str):
            try:
                host = urlsplit(url).hostname
            except ValueError:
                continue
            if host:
                hosts.add(host.rstrip(".").lower())
    return frozenset(hosts)
