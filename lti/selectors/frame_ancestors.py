"""The origins the tool's pages may be framed from: every registered platform's.

The origins are those of every registration's issuer, login (auth) URL, configuration URL
and trusted service origins (:mod:`lti.views.headers` adds ``KOULA_FRAME_ANCESTORS``). The
list is read once per change of the registrations and kept in Django's cache (shared by
every process through Redis when ``KOULA_REDIS_URL`` is set), keyed by how many
registrations there are and when the last one changed: each HTML page costs one aggregate
query on that small table, and a platform registered in another process (``koula
platforms add``, the admin, dynamic registration) frames from its very first page, with or
without Redis. The process keeps the origins of the last version it read too, so a page
whose registrations did not change reads no cache.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import connection

from lti.models import Registration

__all__ = ["frame_ancestors", "origin_of", "registration_origins"]

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


def _registrations_version() -> tuple[object, ...]:
    """How many registrations there are and when the last one changed (one small query,
    written in SQL: it runs for every HTML page)."""
    table = connection.ops.quote_name(Registration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(updated_at) FROM {table}")
        return tuple(cursor.fetchone())


_last: dict[tuple[object, ...], list[str]] = {}  # this process's last version and origins


def frame_ancestors() -> list[str]:
    """Return the registered platforms' origins (cached; see the module docstring)."""
    version = _registrations_version()
    known = _last.get(version)
    if known is not None:  # the same registrations as the last page of this process
        return list(known)
    key = f"{CACHE_PREFIX}:{hashlib.sha256(repr(version).encode()).hexdigest()[:20]}"
    origins: list[str] | None = cache.get(key)
    if origins is None:
        found: set[str] = set()
        for registration in Registration.objects.only(
            "issuer", "auth_login_url", "configuration_url", "service_origins"
        ):
            found |= registration_origins(registration)
        origins = sorted(found)
        cache.set(key, origins, CACHE_SECONDS)
    _last.clear()
    _last[version] = origins
    return list(origins)
