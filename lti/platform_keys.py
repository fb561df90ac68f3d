"""Platforms' public keys, fetched from their JWKS URL and cached.

A key is found by ``kid``. An unknown ``kid`` (the platform rotated its keys)
triggers an immediate refetch; such refetches happen at most once per
``REFETCH_INTERVAL`` per keyset, so a flood of forged tokens with random kids
cannot hammer the platform, while a real rotation is followed at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests

from lti.http import http_get

__all__ = ["KeyNotFound", "forget_keys", "platform_key"]

CACHE_SECONDS = 3600.0
REFETCH_INTERVAL = 10.0


class KeyNotFound(LookupError):
    """The platform publishes no key with this ``kid`` (or its keyset could not be read)."""


@dataclass
class _Keyset:
    keys: dict[str, Any] = field(default_factory=dict)
    fetched_at: float = float("-inf")
    missed_at: float = float("-inf")
    """When an unknown kid last caused a refetch."""


_cache: dict[tuple[int, float, str], _Keyset] = {}
_lock = threading.Lock()


def platform_key(keyset_url: str, kid: str, *, platform: tuple[int, float]) -> Any:
    """Return the public key ``kid`` at ``keyset_url``; raise KeyNotFound.

    The cache is kept per ``platform`` (the registration's id and last change) and
    keyset URL, so a registration made or changed while the server runs (by
    ``koula platforms add`` in another process) starts with a fresh cache.
    """
    with _lock:
        keyset = _cache.setdefault((*platform, keyset_url), _Keyset())
        now = time.monotonic()
        stale = now - keyset.fetched_at > CACHE_SECONDS
        missing = kid not in keyset.keys and now - keyset.missed_at > REFETCH_INTERVAL
        if stale or missing:
            if kid not in keyset.keys and not stale:
                keyset.missed_at = now
            keyset.fetched_at = now  # also on failure, so a dead keyset is not hammered
            keyset.keys = _fetch(keyset_url)
        if kid not in keyset.keys:
            raise KeyNotFound(f"no key {kid!r} at {keyset_url}")
        return keyset.keys[kid]


def _fetch(keyset_url: str) -> dict[str, Any]:
    try:
        response = http_get(keyset_url)
        response.raise_for_status()
        keys = response.json().get("keys", [])
    except (requests.RequestException, ValueError, AttributeError) as exc:
        raise KeyNotFound(f"cannot read the platform keys at {keyset_url}: {exc}") from exc
    found = {}
    for jwk in keys:
        if isinstance(jwk, dict) and jwk.get("kid") and jwk.get("kty") == "RSA":
            found[jwk["kid"]] = jwt.algorithms.RSAAlgorithm.from_jwk(jwk)
    return found


def forget_keys() -> None:
    """Empty the cache (tests, and after a registration's keyset URL changes)."""
    with _lock:
        _cache.clear()
