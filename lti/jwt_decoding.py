"""PyJWT's decoder, with its base64url check done by a regular expression.

PyJWT (2.12 and later, GHSA-hxm8-2xgr-2p9m) refuses a token segment holding anything but
the base64url alphabet by testing each character in a Python loop: for a launch's id_token
(about 2.7 KB) that loop is most of ``jwt.decode``'s time, more than the RS256 check itself
(``benchmarks/README.md``, issue 14). :data:`decoder` is a :class:`jwt.PyJWT` whose segment
check answers exactly as PyJWT's: a segment of the alphabet alone (the segments of every
token a platform signs) is tested by one ``fullmatch`` and then decoded and re-encoded as
PyJWT does; any other segment (padded, or with a character outside the alphabet) goes to
PyJWT's own check, which accepts or refuses it with its own error.
``tests/lti/test_jwt_decoding.py`` compares both on generated segments.

With a PyJWT that has no such check, :data:`decoder` is PyJWT's own.
"""

from __future__ import annotations

import re

import jwt
from jwt.utils import base64url_decode, base64url_encode

__all__ = ["decoder"]

_ALPHABET = re.compile(rb"[A-Za-z0-9_-]*")
_pyjwt_check = getattr(jwt.PyJWS, "_decode_base64url_segment", None)


class _AlphabetCheckedJWS(jwt.PyJWS):
    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        if len(segment) % 4 != 1 and _ALPHABET.fullmatch(segment):
            decoded = base64url_decode(segment)
            if base64url_encode(decoded) == segment:
                return decoded
        assert _pyjwt_check is not None  # this class is used only when PyJWT has it
        return _pyjwt_check(segment, name)  # type: ignore[no-any-return]


class _Decoder(jwt.PyJWT):
    def __init__(self) -> None:
        super().__init__()
        self._jws = _AlphabetCheckedJWS(options=self._jws.options)  # as PyJWT made it


decoder: jwt.PyJWT = _Decoder() if _pyjwt_check is not None else jwt.PyJWT()
