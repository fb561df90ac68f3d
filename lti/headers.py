"""Security headers: on every response, and who may frame the tool's pages.

Every response gets ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy:
strict-origin-when-cross-origin``: another origin learns at most the tool's origin, never
a path, so the tokens in report links and registration links never leave the tool (and a
form posted to a platform, the deep-linking answer, still carries a real ``Origin``;
``no-referrer`` would make it, and every form posted back to the tool, ``Origin: null``).

HTML pages get ``Content-Security-Policy: frame-ancestors 'self' <origins>; object-src
'none'; base-uri 'none'``, where the origins are those of every registration's issuer,
login (auth) URL, configuration URL and trusted service origins, plus
``KOULA_FRAME_ANCESTORS``. Two exceptions: the registration pages (``/lti/register...``)
may be framed by anyone, since the platform being registered frames them before Koula knows
its origin (they have nothing to click), and the Django admin by no one. A view that sets
its own ``Content-Security-Policy`` keeps it.

The origin list is read once per change of the registrations and kept in Django's cache
(shared by every process through Redis when ``KOULA_REDIS_URL`` is set), keyed by how many
registrations there are and when the last one changed: each HTML page costs one aggregate
query on that small table, and a platform registered in another process (``koula platforms
add``, the admin, dynamic registration) frames from its very first page, with or without
Redis.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse

from lti.models import Registration

__all__ = [
    "REFERRER_POLICY",
    "SecurityHeadersMiddleware",
    "frame_ancestors",
    "origin_of",
]

log = logging.getLogger(__name__)

REFERRER_POLICY = "strict-origin-when-cross-origin"
CACHE_PREFIX = "koula:frame-ancestors:v1"
CACHE_SECONDS = 3600
_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")  # CSP host-source: no IPv6 literal


def origin_of(url: object) -> str | None:
    """Return ``scheme://host[:port]`` of an http(s) URL as a CSP source, else None.

    None too for anything a CSP header could not carry safely (IPv6 literals, odd hosts).
    """
    try:
        parts = urlsplit(str(url).strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def registration_origins(registration: Registration) -> set[str]:
    """Return the origins the pages of ``registration``'s platform are framed from."""
    urls = [
        registration.issuer,
        registration.auth_login_url,
        registration.configuration_url,
        *(registration.service_origins or []),
    ]
    return {origin for url in urls if url and (origin := origin_of(url))}


def frame_ancestors() -> list[str]:
    """Return the registered platforms' origins (cached; see the module docstring)."""
    version = Registration.objects.aggregate(count=Count("pk"), last=Max("updated_at"))
    last = version["last"].timestamp() if version["last"] else 0
    key = f"{CACHE_PREFIX}:{version['count']}:{last}"
    origins: list[str] | None = cache.get(key)
    if origins is None:
        found: set[str] = set()
        for registration in Registration.objects.only(
            "issuer", "auth_login_url", "configuration_url", "service_origins"
        ):
            found |= registration_origins(registration)
        origins = sorted(found)
        cache.set(key, origins, CACHE_SECONDS)
    return origins


@functools.lru_cache(maxsize=1)
def _configured(value: str) -> tuple[str, ...]:
    """The origins of ``KOULA_FRAME_ANCESTORS`` (``*`` allows any site); bad ones are logged."""
    origins = []
    for item in value.split():
        origin = "*" if item == "*" else origin_of(item)
        if origin is None:
            log.warning("KOULA_FRAME_ANCESTORS: %r is not an http(s) origin; ignored", item)
        else:
            origins.append(origin)
    return tuple(origins)


def _policy(path: str, status: int) -> str:
    if path.startswith("/admin/"):
        ancestors: Iterable[str] = ["'none'"]
    elif path.startswith("/lti/register"):
        ancestors = ["*"]
    else:
        extra = _configured(getattr(settings, "KOULA_FRAME_ANCESTORS", ""))
        try:
            registered = frame_ancestors()
        except Exception:  # the database or Redis is down: this response must still go out
            log.warning("frame ancestors unavailable for %s", path, exc_info=True)
            # An error page (503 "try again in a minute") is worth showing in the platform's
            # frame and has nothing to click; any other page frames only where configured.
            registered = ["*"] if status >= 500 else []
        ancestors = ["'self'", *dict.fromkeys([*registered, *extra])]
    return f"frame-ancestors {' '.join(ancestors)}; object-src 'none'; base-uri 'none'"


class SecurityHeadersMiddleware:
    """Adds the headers of the module docstring; a header a view set is kept."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", REFERRER_POLICY)
        html = response.get("Content-Type", "").startswith("text/html")
        if html and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = _policy(request.path, response.status_code)
        return response
