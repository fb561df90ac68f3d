"""lti.jwt_decoding: PyJWT's decoder with its base64url check done by a regular expression."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from lti.jwt_decoding import _AlphabetCheckedJWS, decoder

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
PYJWT_CHECK = jwt.PyJWS._decode_base64url_segment


def answer(check: Callable[[bytes, str], bytes], segment: bytes) -> tuple[str, Any]:
    try:
        return "decoded", check(segment, "Payload")
    except jwt.DecodeError as exc:
        return "refused", str(exc)


segments = st.one_of(
    st.text(alphabet=ALPHABET, max_size=40),
    st.text(alphabet=ALPHABET + "=", max_size=40),
    st.text(alphabet=ALPHABET + "=+/.!é \n", max_size=40),
    st.binary(max_size=30).map(lambda raw: base64.urlsafe_b64encode(raw).decode()),
    st.binary(max_size=30).map(lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")),
).map(lambda text: text.encode())


@given(segments)
def test_a_segment_is_decoded_or_refused_exactly_as_pyjwt_does(segment: bytes) -> None:
    ours = answer(_AlphabetCheckedJWS._decode_base64url_segment, segment)
    assert ours == answer(PYJWT_CHECK, segment)


@pytest.mark.parametrize(
    "segment",
    [b"", b"QQ", b"QR", b"QUI", b"QUJ", b"Q", b"QQ==", b"QQ=", b"QUI=", b"QQ===", b"!!!!", b"QQ!="],
)
def test_edge_segments_are_answered_as_pyjwt_answers_them(segment: bytes) -> None:
    ours = answer(_AlphabetCheckedJWS._decode_base64url_segment, segment)
    assert ours == answer(PYJWT_CHECK, segment)


def test_a_segment_with_bits_past_its_last_byte_is_refused() -> None:
    # "QR" decodes to b"A" as "QQ" does, but is not what encoding b"A" gives: refused.
    with pytest.raises(jwt.DecodeError):
        _AlphabetCheckedJWS._decode_base64url_segment(b"QR", "Payload")


def test_the_decoder_checks_segments_with_the_regular_expression() -> None:
    assert isinstance(decoder._jws, _AlphabetCheckedJWS)


def signed(claims: dict[str, Any]) -> tuple[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256"), key.public_key()


def test_the_decoder_verifies_a_token_as_pyjwt_does() -> None:
    now = int(time.time())
    token, public = signed(
        {"iss": "https://lms.example", "aud": "tool", "iat": now, "exp": now + 60}
    )
    options = {"algorithms": ["RS256"], "audience": "tool", "issuer": "https://lms.example"}
    assert decoder.decode(token, public, **options) == jwt.decode(token, public, **options)
    with pytest.raises(jwt.InvalidAudienceError):
        decoder.decode(token, public, algorithms=["RS256"], audience="another tool")
    header, payload, signature = token.split(".")
    for forged in (f"{header}.{payload}!.{signature}", f"{header}.{payload}.{signature[:-2]}AA"):
        with pytest.raises(jwt.PyJWTError):
            decoder.decode(forged, public, **options)
