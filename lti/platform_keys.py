"""Platforms' public keys, fetched from their JWKS URL and cached.

A key is found by ``kid``. An unknown ``kid`` (the platform rotated its keys)
triggers an immediate refetch; such refetches happen at most once per
``REFETCH_INTERVAL`` per keyset, so a flood of forged tokens with random kids
cannot hammer the platform, while a real rotation is followed at once.

The keysets live in Django's cache: in each process by default, in Redis when
``KOULA_REDIS_URL`` is set, so every process shares one fetch and one rate
limit (the limit is an atomic ``add`` of a marker that expires).

A keyset is fetched under the outbound policy (:mod:`lti.http`) of its registration.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from typing import Any

import jwt
import requests
from django.core.cache import cache

from lti.http import http_get
from lti.models import Registration

__all__ = ["KeyNotFound", "forget_keys", "platform_key"]

CACHE_SECONDS = 3600
REFETCH_INTERVAL = 10

_lock = threading.Lock()


class KeyNotFound(LookupError):
    """The platform publishes no key with this ``kid`` (or its keyset could not be read)."""


def platform_key(keyset_url: str, kid: str, *, platform: tuple[int, float]) -> Any:
    """Return the public key ``kid`` at ``keyset_url``; raise KeyNotFound.

    The cache is kept per ``platform`` (the registration's id and last change) and
    keyset URL, so a registration made or changed while the server runs (by
    ``koula platforms add`` in another process) starts with a fresh cache.
    """
    key = _cache_key(platform, keyset_url)
    keys = cache.get(key)
    if keys is None or (kid not in keys and cache.add(key + ":missed", 1, REFETCH_INTERVAL)):
        with _lock:  # one fetch per process at a time; another thread may have just done it
            fresh = cache.get(key)
            if fresh is not None and fresh != keys:
                keys = fresh
            else:
                keys = _refresh(key, keyset_url, keys or {}, platform[0])
    if kid not in keys:
        raise KeyNotFound(f"no key {kid!r} at {keyset_url}")
    return _public_key(json.dumps(keys[kid], sort_keys=True))


@functools.lru_cache(maxsize=64)
def _cache_key(platform: tuple[int, float], keyset_url: str) -> str:
    raw = f"{platform[0]}\n{platform[1]}\n{keyset_url}"
    return "platform-keys:" + hashlib.sha256(raw.encode()).hexdigest()


def _refresh(
    key: str, keyset_url: str, known: dict[str, Any], registration_id: int
) -> dict[str, Any]:
    """Fetch the keyset into the cache; on failure keep the ``known`` keys (a dead keyset
    is not hammered: only the rate-limited refetch tries again) and raise KeyNotFound."""
    try:
        registration = Registration.objects.filter(pk=registration_id).first()
        response = http_get(keyset_url, registration=registration)
        response.raise_for_status()
        published = response.json().get("keys", [])
    except (requests.RequestException, ValueError, AttributeError, RecursionError) as exc:
        cache.set(key, known, CACHE_SECONDS)
        cache.add(key + ":missed", 1, REFETCH_INTERVAL)
        raise KeyNotFound(f"cannot read the platform keys at {keyset_url}: {exc}") from exc
    keys = {
        jwk["kid"]: jwk
        for jwk in published
        if isinstance(jwk, dict) and jwk.get("kid") and jwk.get("kty") == "RSA"
    }
    cache.set(key, keys, CACHE_SECONDS)
    return keys


@functools.lru_cache(maxsize=256)
def _public_key(jwk: str) -> Any:
    try:
        return jwt.algorithms.RSAAlgorithm.from_jwk(jwk)
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise KeyNotFound(f"unusable platform key: {exc}") from exc


def forget_keys() -> None:
    """Forget the keys parsed in this process (the cache itself is keyed by registration
    change, so a changed registration never reads an older keyset)."""
    _public_key.cache_clear()
