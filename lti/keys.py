"""The tool's own RSA signing keys: made at first start, published as a JWKS, rotated on demand.

The JWKS publishes the current key (it signs deep-linking responses and AGS
client assertions) and the next one, so platforms that cache our keys already
know the next key when a rotation makes it sign. A rotation also keeps the
previous key published for ``RETIRE_AFTER``, so what it signed still verifies.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lti.models import ToolKey

__all__ = ["RETIRE_AFTER", "current_key", "public_jwks", "rotate_keys", "sign"]

RETIRE_AFTER = dt.timedelta(days=7)


def _new_key(*, active: bool) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return ToolKey.objects.create(
        kid=secrets.token_hex(8), private_pem=pem, activated_at=timezone.now() if active else None
    )


def _published() -> Any:
    return ToolKey.objects.filter(Q(retire_after__isnull=True) | Q(retire_after__gt=timezone.now()))


def current_key() -> ToolKey:
    """Return the signing key, making the first one (and the next one) if there are none."""
    key = (
        ToolKey.objects.filter(activated_at__isnull=False, retire_after__isnull=True)
        .order_by("-activated_at", "-pk")
        .first()
    )
    if key is None:
        with transaction.atomic():
            key = _new_key(active=True)
    if not ToolKey.objects.filter(activated_at__isnull=True).exists():
        _new_key(active=False)
    return key


def rotate_keys() -> tuple[ToolKey, list[ToolKey]]:
    """Make the published next key sign, retire the current one after :data:`RETIRE_AFTER`,
    and publish a new next key; return ``(new current key, retiring keys)``."""
    current_key()
    with transaction.atomic():
        now = timezone.now()
        old = list(ToolKey.objects.filter(activated_at__isnull=False, retire_after__isnull=True))
        for key in old:
            key.retire_after = now + RETIRE_AFTER
            key.save(update_fields=["retire_after"])
        promoted = ToolKey.objects.filter(activated_at__isnull=True).order_by("pk").first()
        if promoted is None:
            promoted = _new_key(active=True)
        promoted.activated_at = now
        promoted.save(update_fields=["activated_at"])
        _new_key(active=False)
    return promoted, old


def public_jwks() -> dict[str, Any]:
    """Return the JWKS of every published key (current and those still retiring)."""
    current_key()
    keys = []
    for key in _published().order_by("-created_at"):
        private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
        keys.append({**jwk, "kid": key.kid, "alg": "RS256", "use": "sig"})
    return {"keys": keys}


def sign(payload: dict[str, Any]) -> str:
    """Return ``payload`` signed with the current key (RS256, with its ``kid``)."""
    key = current_key()
    return jwt.encode(payload, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
