"""Every outbound call of the tool, under the one policy of :mod:`lti.outbound`.

The policy comes from the settings: ``KOULA_HTTP_TIMEOUT`` bounds each request as a whole
(lookup to last byte), ``KOULA_HTTP_MAX_BYTES`` its answer, TLS is verified against
``REQUESTS_CA_BUNDLE`` when set (else certifi's bundle). Private, loopback and link-local
addresses are refused unless the host is one an administrator named: for the
``registration`` a call is made for (:func:`lti.origins.private_hosts`), or in
``KOULA_PRIVATE_HOSTS``; a tool that itself runs on a loopback ``KOULA_BASE_URL`` (a
developer's machine, the tests, ``koula demo``) refuses no address. ``transport`` is
:func:`lti.outbound.send` unless a test gives its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from lti.addresses import is_loopback_host
from lti.origins import RegistrationOrigins, private_hosts
from lti.outbound import Policy, Transport, send

__all__ = ["http_get", "http_post", "outbound_policy"]


def outbound_policy(
    registration: RegistrationOrigins | None = None, *, max_bytes: int | None = None
) -> Policy:
    """The policy for a call made for ``registration`` (None: no registration yet)."""
    return Policy(
        timeout=settings.KOULA_HTTP_TIMEOUT,
        max_bytes=max_bytes or settings.KOULA_HTTP_MAX_BYTES,
        private_hosts=private_hosts(registration) | frozenset(settings.KOULA_PRIVATE_HOSTS),
        any_address=is_loopback_host(urlsplit(settings.BASE_URL).hostname),
        ca_certs=settings.OUTBOUND_CA_BUNDLE,
    )


def http_get(
    url: str,
    *,
    registration: RegistrationOrigins | None = None,
    headers: Mapping[str, str] | None = None,
    until: float | None = None,
    max_bytes: int | None = None,
    transport: Transport = send,
) -> requests.Response:
    """GET ``url`` under the policy; see :func:`lti.outbound.send`."""
    return transport(
        "GET",
        url,
        policy=outbound_policy(registration, max_bytes=max_bytes),
        headers=headers,
        until=until,
    )


def http_post(
    url: str,
    *,
    registration: RegistrationOrigins | None = None,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, str] | bytes | None = None,
    json: Any = None,
    until: float | None = None,
    max_bytes: int | None = None,
    transport: Transport = send,
) -> requests.Response:
    """POST to ``url`` under the policy; see :func:`lti.outbound.send`."""
    return transport(
        "POST",
        url,
        policy=outbound_policy(registration, max_bytes=max_bytes),
        headers=headers,
        data=data,
        json=json,
        until=until,
    )
