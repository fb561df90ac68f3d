"""Short-lived signed bearer tokens: after a launch, the page acts without any cookie.

A token names one user, one deployment and one activity (resource link); the
learner API accepts it only for that activity, so a token from one tenant is
worthless on another's activity. The staff view's script gets a token of its
own (:func:`issue_staff_token`), signed for another purpose: the learner API
refuses it, and the report links (:mod:`lti.services.report_access`) refuse a
learner's token. It lives ``KOULA_REPORT_LINK_SECONDS`` (minutes).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.signals import setting_changed
from django.utils.encoding import force_bytes

__all__ = [
    "Grant",
    "issue_staff_token",
    "issue_token",
    "read_signed",
    "read_staff_token",
    "read_token",
    "sign_data",
]

SALT = "koula.lti.bearer"
STAFF_SALT = "koula.lti.staff"
# Data whose JSON is shorter is signed uncompressed: zlib seldom shortens it, and trying
# costs more than the signature (a launch signs three such values: issue 14).
COMPRESS_FROM = 160


@dataclass(frozen=True)
class Grant:
    user_id: int
    deployment_id: int
    activity_id: int
    language: str


def issue_token(grant: Grant) -> str:
    """Return a signed token for ``grant``, kept as verified in this process (the page's
    first action, when this process answers it, need not check it again)."""
    data = [grant.user_id, grant.deployment_id, grant.activity_id, grant.language]
    token = _signed(data, SALT)
    _keep(token, grant)
    return token


def read_token(token: str) -> Grant | None:
    """Return the grant of a valid, unexpired token, or None.

    A page sends its token with every action (its drafts are saved as the learner types),
    and checking the signature costs more than the rest of reading it: a token verified
    once is kept in this process (:data:`_VERIFIED`) with the time it was signed, so it is
    still refused once it expires."""
    held = _VERIFIED.get(token)
    if held is not None:
        grant, signed_at = held
        if time.time() - signed_at <= settings.KOULA_BEARER_TOKEN_SECONDS:
            return grant
        _VERIFIED.pop(token, None)
        return None
    try:
        user, deployment, activity, language = _loads(
            token, SALT, settings.KOULA_BEARER_TOKEN_SECONDS
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    grant = Grant(int(user), int(deployment), int(activity), str(language))
    _keep(token, grant)
    return grant


_VERIFIED: dict[str, tuple[Grant, int]] = {}
"""The tokens this process verified, with their grant and signing time (the oldest first)."""
KEPT = 4096


def _keep(token: str, grant: Grant) -> None:
    """Keep a verified token (its signing time is the signed timestamp before the signature:
    ``value:timestamp:signature``), dropping the oldest kept beyond :data:`KEPT`."""
    while len(_VERIFIED) >= KEPT:
        try:
            del _VERIFIED[next(iter(_VERIFIED))]
        except (KeyError, RuntimeError, StopIteration):  # another thread took it first
            break
    _VERIFIED[token] = (grant, signing.b62_decode(token.rsplit(":", 2)[-2]))


def _forget_tokens(*, setting: str, **kwargs: Any) -> None:
    """A new secret key (tests change it) makes every kept token unchecked again, and the
    signers read it again."""
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS"):
        _VERIFIED.clear()
        _signer.cache_clear()


setting_changed.connect(_forget_tokens, dispatch_uid="koula-bearer-forget-tokens")


def issue_staff_token(grant: Grant) -> str:
    """Return the staff view's token for ``grant`` (a staff member): it opens report links."""
    data = [grant.user_id, grant.deployment_id, grant.activity_id, grant.language]
    return _signed(data, STAFF_SALT)


def read_staff_token(token: str) -> Grant | None:
    """Return the grant of a valid staff token younger than ``KOULA_REPORT_LINK_SECONDS``."""
    try:
        user, deployment, activity, language = _loads(
            token, STAFF_SALT, settings.KOULA_REPORT_LINK_SECONDS
        )
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Grant(int(user), int(deployment), int(activity), str(language))


def sign_data(data: object, purpose: str) -> str:
    """Return ``data`` signed for one ``purpose`` (a form's hidden field, for example)."""
    return _signed(data, f"koula.lti.{purpose}")


def read_signed(token: str, purpose: str, max_age: int) -> object | None:
    """Return the data of a valid token signed for ``purpose`` within ``max_age`` s, or None."""
    try:
        return _loads(token, f"koula.lti.{purpose}", max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def _signed(data: object, salt: str) -> str:
    """``signing.dumps(data, salt=salt, compress=True)``, compressing only data whose JSON
    is :data:`COMPRESS_FROM` characters or more (``signing.loads`` reads either)."""
    serialized = json.dumps(data, separators=(",", ":"))  # as Django's JSONSerializer
    compress = len(serialized) >= COMPRESS_FROM
    return _signer(salt).sign_object(data, compress=compress)


def _loads(token: str, salt: str, max_age: int) -> Any:
    """``signing.loads(token, salt=salt, max_age=max_age)``."""
    return _signer(salt).unsign_object(token, max_age=max_age)


@lru_cache(maxsize=64)  # a few salts: the tokens' and the forms' purposes
def _signer(salt: str) -> _Signer:
    """The signer of ``salt``, made once for the secret keys (a signer reads them when made;
    :func:`_forget_tokens` drops it when they change)."""
    return _Signer(salt=salt)


class _Signer(signing.TimestampSigner):
    """Django's ``TimestampSigner`` (what ``signing.dumps`` and ``loads`` use), its HMAC key
    derived once per salt and secret key: Django's ``salted_hmac`` derives it (a SHA-256 of
    both) for every signature, a third of a signature's cost (issue 14). The signature is
    the same (``tests/lti/test_bearer.py`` compares them, fallback keys included)."""

    def signature(self, value: str, key: Any = None) -> str:
        derived = _derived_key(self.salt + "signer", key or self.key, self.algorithm)
        digest = hmac.digest(derived, value.encode(), self.algorithm)  # hmac.new's, at once
        return signing.b64_encode(digest).decode()


@lru_cache(maxsize=64)
def _derived_key(salt: str, key: str | bytes, algorithm: str) -> bytes:
    """``salted_hmac``'s HMAC key for ``salt`` and the secret ``key``."""
    hasher = getattr(hashlib, algorithm)
    return bytes(hasher(force_bytes(salt) + force_bytes(key)).digest())
