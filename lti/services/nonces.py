"""Used launch nonces, each accepted once: in Redis when configured, else in the database.

With ``KOULA_REDIS_URL`` a nonce is an atomic ``SET NX`` with an expiry (Django's
``cache.add``), shared by every process of the tool; without it, a row of
``UsedNonce`` whose unique constraint refuses the second use.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from lti.models import UsedNonce

__all__ = ["nonce_consume"]


def nonce_consume(*, issuer: str, nonce: str, expires_at: dt.datetime) -> bool:
    """Record ``nonce`` of ``issuer`` as used until ``expires_at``; return False if it was."""
    if settings.KOULA_REDIS_URL:
        seconds = max(int((expires_at - timezone.now()).total_seconds()) + 1, 1)
        key = "nonce:" + hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()
        return bool(cache.add(key, 1, seconds))
    UsedNonce.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            UsedNonce.objects.create(issuer=issuer, nonce=nonce, expires_at=expires_at)
    except IntegrityError:
        return False
    return True
