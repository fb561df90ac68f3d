"""Used launch nonces, each accepted once: in Redis when configured, else in the database.

With ``KOULA_REDIS_URL`` a nonce is an atomic ``SET NX`` with an expiry (Django's
``cache.add``), shared by every process of the tool; without it, a row of
``UsedNonce`` whose unique constraint refuses the second use. Expired rows are removed
at most once a minute per process (:func:`now_and_then`), not on every launch: a row
past its expiry refuses nothing its token could still be used for (the token expired too).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from lti.models import UsedNonce
from lti.services.raw_rows import insert
from lti.services.rows import delete_expired

__all__ = ["nonce_consume", "now_and_then"]

CLEANUP_SECONDS = 60
_last_runs: dict[str, float] = {}
_lock = threading.Lock()


def now_and_then(name: str, work: Callable[[], object]) -> None:
    """Run ``work`` if this process has not run the work called ``name`` for a minute."""
    with _lock:
        now = time.monotonic()
        if now - _last_runs.get(name, -CLEANUP_SECONDS) < CLEANUP_SECONDS:
            return
        _last_runs[name] = now
    work()


def nonce_consume(*, issuer: str, nonce: str, expires_at: dt.datetime) -> bool:
    """Record ``nonce`` of ``issuer`` as used until ``expires_at``; return False if it was."""
    if settings.KOULA_REDIS_URL:
        seconds = max(int((expires_at - timezone.now()).total_seconds()) + 1, 1)
        key = "nonce:" + hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()
        return bool(cache.add(key, 1, seconds))
    now_and_then("used nonces", lambda: delete_expired(UsedNonce))
    # One INSERT, its own transaction in autocommit: the unique constraint keeps the first
    # use only, and the second writes nothing (no error, so a caller's transaction goes on).
    made = insert(UsedNonce, unless_taken=True, issuer=issuer, nonce=nonce, expires_at=expires_at)
    return made is not None
