"""RSA signing keys with a ``kid``, and JWT signing including the forged algorithms.

The public JWK comes from ``lti1p3platform``'s ``Registration.get_jwk``, so the ``kid``
we publish is the one the library puts in the header of what it signs (the RFC 7638
thumbprint computed by jwcrypto).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.registration import Registration

RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})


@dataclass(frozen=True)
class SigningKey:
    """One RSA key pair: PEM forms, the public JWK and its ``kid``."""

    private_pem: str = field(repr=False)
    public_pem: str

    @cached_property
    def public_jwk(self) -> dict[str, Any]:
        return dict(Registration.get_jwk(self.public_pem))

    @property
    def kid(self) -> str:
        return str(self.public_jwk["kid"])


def generate_key() -> SigningKey:
    """Make a fresh 2048-bit RSA key."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return SigningKey(private_pem=private_pem, public_pem=public_pem)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(payload: dict[str, Any], headers: dict[str, Any]) -> str:
    def encode(part: dict[str, Any]) -> str:
        return _b64(json.dumps(part, separators=(",", ":")).encode())

    return f"{encode(headers)}.{encode(payload)}"


def sign_jwt(
    payload: dict[str, Any],
    headers: dict[str, Any] | None,
    *,
    alg: str,
    key: SigningKey | str | bytes,
) -> str:
    """Sign ``payload`` with ``alg``; forged algorithms are built by hand.

    * RS*/PS*: ``key`` must be a :class:`SigningKey`; ``kid`` defaults to its own
      (a ``"kid": None`` header removes it, any other value is kept as given).
    * ``none``: an unsigned token (empty signature).
    * HS256/384/512: HMAC with ``key`` as the secret; a :class:`SigningKey` means its
      public PEM (the classic algorithm-confusion attack). PyJWT refuses PEM secrets,
      hence the hand-written HMAC.
    """
    header = dict(headers or {})
    if alg in RSA_ALGORITHMS:
        if not isinstance(key, SigningKey):
            raise TypeError(f"{alg} needs a SigningKey")
        header.setdefault("kid", key.kid)
        if header["kid"] is None:
            del header["kid"]
        header.pop("alg", None)
        return jwt.encode(payload, key.private_pem, algorithm=alg, headers=header)
    header["alg"] = alg
    header.setdefault("typ", "JWT")
    signing_input = _segments(payload, header)
    if alg == "none":
        return signing_input + "."
    if alg in ("HS256", "HS384", "HS512"):
        secret = key.public_pem if isinstance(key, SigningKey) else key
        secret_bytes = secret.encode() if isinstance(secret, str) else secret
        digest = getattr(hashlib, "sha" + alg[2:])
        mac = hmac.new(secret_bytes, signing_input.encode(), digest).digest()
        return f"{signing_input}.{_b64(mac)}"
    raise ValueError(f"unsupported algorithm {alg!r}")
