"""The id_token's signature and registered claims are checked as PyJWT's ``jwt.decode`` checks
them (lti/services/id_token.py writes those checks out, issue 14): each token below is
accepted or refused by both alike, as the launch asks PyJWT (RS256, ``exp``, ``iat``,
``iss``, ``aud`` and ``nonce`` required, 60 s of leeway, our issuer and client id)."""

from __future__ import annotations

import base64
import json
import time
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lti.services.id_token import LEEWAY_SECONDS, _peek, _verified

ISSUER, CLIENT = "https://lms.example.test", "koula-client"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
SMALL_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)
REGISTRATION = SimpleNamespace(issuer=ISSUER, client_id=CLIENT)


class Refused(Exception):
    pass


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    found = {"iss": ISSUER, "aud": CLIENT, "sub": "ana", "iat": now, "exp": now + 300}
    found["nonce"] = "n-1"
    for name, value in changes.items():
        if value is None:
            found.pop(name, None)
        else:
            found[name] = value
    return found


def signed(payload: Any = None, key: Any = KEY, **header: Any) -> str:
    body = payload if payload is not None else claims()
    segments = [_b64(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "k", **header}))]
    segments.append(_b64(json.dumps(body)))
    signing_input = ".".join(segments).encode()
    signature = jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256).sign(
        signing_input, key
    )
    return ".".join([*segments, _b64(signature)])


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def padded(token: str) -> str:
    return ".".join(part + "=" * (-len(part) % 4) for part in token.split("."))


def respelled_signature(token: str) -> str:
    """The same signature bytes, spelled with other unused low bits (not canonical)."""
    head, _, signature = token.rpartition(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    return f"{head}.{signature[:-1]}{alphabet[last ^ 1]}"


def now() -> int:
    return int(time.time())


TOKENS: dict[str, Callable[[], tuple[str, bool]]] = {
    "valid": lambda: (signed(), True),
    "expired": lambda: (signed(claims(exp=now() - LEEWAY_SECONDS - 5)), False),
    "expired within the leeway": lambda: (signed(claims(exp=now() - 30)), True),
    "issued in the future": lambda: (signed(claims(iat=now() + LEEWAY_SECONDS + 30)), False),
    "issued a little ahead": lambda: (signed(claims(iat=now() + 30)), True),
    "not valid before later": lambda: (signed(claims(nbf=now() + LEEWAY_SECONDS + 30)), False),
    "valid since": lambda: (signed(claims(nbf=now() - 10)), True),
    "exp as digits": lambda: (signed(claims(exp=str(now() + 300))), True),
    "exp as words": lambda: (signed(claims(exp="tomorrow")), False),
    "iat as a fraction": lambda: (signed(claims(iat=now() + 0.5)), True),
    "nbf as a list": lambda: (signed(claims(nbf=[1])), False),
    "no exp": lambda: (signed(claims(exp=None)), False),
    "no iat": lambda: (signed(claims(iat=None)), False),
    "no iss": lambda: (signed(claims(iss=None)), False),
    "no aud": lambda: (signed(claims(aud=None)), False),
    "no nonce": lambda: (signed(claims(nonce=None)), False),
    "audiences with ours": lambda: (signed(claims(aud=["other", CLIENT])), True),
    "audiences without ours": lambda: (signed(claims(aud=["other"])), False),
    "audiences with a number": lambda: (signed(claims(aud=[CLIENT, 7])), False),
    "empty audience": lambda: (signed(claims(aud="")), False),
    "no audiences": lambda: (signed(claims(aud=[])), False),
    "audience as an object": lambda: (signed(claims(aud={CLIENT: 1})), False),
    "another issuer": lambda: (signed(claims(iss="https://evil.example")), False),
    "issuer as a number": lambda: (signed(claims(iss=7)), False),
    "sub as a number": lambda: (signed(claims(sub=7)), False),
    "jti as a number": lambda: (signed(claims(jti=7)), False),
    "jti as text": lambda: (signed(claims(jti="j-1")), True),
    "crit b64": lambda: (signed(crit=["b64"], b64=True), True),
    "crit unknown": lambda: (signed(crit=["exp"]), False),
    "crit b64 not in the header": lambda: (signed(crit=["b64"]), False),
    "crit as text": lambda: (signed(crit="b64", b64=True), False),
    "crit empty": lambda: (signed(crit=[]), False),
    "crit with a list": lambda: (signed(crit=[["b64"]]), False),
    "detached payload": lambda: (signed(crit=["b64"], b64=False), False),
    "signed by another key": lambda: (signed(key=OTHER_KEY), False),
    "signed by a small key": lambda: (signed(key=SMALL_KEY), True),
    "segments padded": lambda: (padded(signed()), True),
    "too much padding": lambda: (signed() + "===", False),
    "junk in the signature": lambda: (signed()[:-4] + "!!!!", False),
    "signature spelled otherwise": lambda: (respelled_signature(signed()), False),
    "signature cut": lambda: (signed()[:-3], False),
    "four segments": lambda: (signed() + ".e30", False),
    "two segments": lambda: (signed().rpartition(".")[0], False),
    "claims not an object": lambda: (signed([1, 2]), False),
    "claims not JSON": lambda: (_replace_payload(signed(), _b64("{not json")), False),
    "an empty payload": lambda: (_replace_payload(signed(), ""), False),
}


def _replace_payload(token: str, payload: str) -> str:
    header, _, signature = token.split(".")
    return f"{header}.{payload}.{signature}"


def ours(token: str, key: Any = KEY) -> bool:
    def refuse(detail: str) -> Refused:
        return Refused(detail)

    try:
        _verified(_peek(token, refuse), key.public_key(), REGISTRATION, refuse)
    except Refused:
        return False
    return True


def pyjwt(token: str, key: Any) -> bool:
    """PyJWT's answer, asked as the launch asked it before issue 14."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the small key's warning
            jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=CLIENT,
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
    except jwt.PyJWTError:
        return False
    return True


@pytest.mark.parametrize("case", list(TOKENS), ids=list(TOKENS))
def test_a_token_is_accepted_or_refused_as_pyjwt_decides(case):
    token, accepted = TOKENS[case]()
    key = SMALL_KEY if case == "signed by a small key" else KEY  # the platform's key
    assert pyjwt(token, key.public_key()) is accepted
    assert ours(token, key) is accepted


@pytest.mark.parametrize(
    "header", [{"kid": None}, {"kid": 7}, {"alg": "HS256"}, {"alg": "none"}], ids=str
)
def test_a_header_without_a_kid_in_text_or_of_another_algorithm_is_refused(header):
    assert not ours(signed(**header))
