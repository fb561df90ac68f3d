"""The learner page's bearer token (lti/bearer.py): verified once per process, refused
once expired or once the secret key changes."""

from __future__ import annotations

import json
from collections.abc import Iterator

from tests.lti.in_process import configure

configure()

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import signing  # noqa: E402
from django.test import override_settings  # noqa: E402

from lti import bearer  # noqa: E402
from lti.bearer import Grant, issue_staff_token, issue_token, read_token  # noqa: E402

GRANT = Grant(user_id=7, deployment_id=3, activity_id=11, language="fr")


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    bearer._VERIFIED.clear()
    yield
    bearer._VERIFIED.clear()


@pytest.fixture
def verified(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens whose signature is checked meanwhile."""
    checked: list[str] = []
    real = bearer._loads

    def loads(token: str, *args: object) -> object:
        checked.append(token)
        return real(token, *args)

    monkeypatch.setattr(bearer, "_loads", loads)
    return checked


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The time the token module sees, set by the test (``clock[0]``)."""
    now = [float(int(bearer.time.time()))]  # tokens carry whole seconds
    monkeypatch.setattr(bearer.time, "time", lambda: now[0])
    monkeypatch.setattr(signing.time, "time", lambda: now[0])
    return now


def test_a_token_gives_its_grant_and_its_signature_is_checked_once(verified):
    token = issue_token(GRANT)
    bearer._VERIFIED.clear()  # as in another process than the one that issued it
    assert [read_token(token) for _ in range(3)] == [GRANT] * 3
    assert verified == [token]


def test_the_process_that_issued_a_token_does_not_check_it_again(verified):
    token = issue_token(GRANT)
    assert [read_token(token) for _ in range(2)] == [GRANT] * 2
    assert verified == []


def test_a_forged_or_altered_token_gives_nothing(verified):
    token = issue_token(GRANT)
    assert read_token(token) == GRANT
    assert read_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert read_token("not-a-token") is None
    assert read_token(issue_staff_token(GRANT)) is None  # signed for the staff view


def test_a_kept_token_is_refused_once_it_expires(clock, settings):
    settings.KOULA_BEARER_TOKEN_SECONDS = 60
    token = issue_token(GRANT)
    assert read_token(token) == GRANT
    clock[0] += 60
    assert read_token(token) == GRANT  # Django's rule: refused when older than max_age
    clock[0] += 1
    assert read_token(token) is None
    assert token not in bearer._VERIFIED


def test_a_shorter_lifetime_applies_to_tokens_already_kept(clock, settings):
    token = issue_token(GRANT)
    assert read_token(token) == GRANT
    clock[0] += 120
    settings.KOULA_BEARER_TOKEN_SECONDS = 60
    assert read_token(token) is None


def test_a_new_secret_key_refuses_the_tokens_kept_under_the_old_one(verified):
    token = issue_token(GRANT)
    assert read_token(token) == GRANT
    with override_settings(SECRET_KEY="another-secret-key-" * 3):
        assert read_token(token) is None
    assert verified == [token]  # checked again under the new key only: refused


def test_the_process_keeps_a_bounded_number_of_tokens(monkeypatch):
    monkeypatch.setattr(bearer, "KEPT", 3)
    tokens = [issue_token(Grant(user, 3, 11, "en")) for user in range(5)]
    for token in tokens:
        assert read_token(token) is not None
    assert list(bearer._VERIFIED) == tokens[2:]  # the oldest went first


def test_short_data_is_signed_uncompressed_and_long_data_compressed():
    short = bearer.sign_data({"activity": 1, "lang": "en"}, "purpose")
    long = bearer.sign_data({"data": "x" * bearer.COMPRESS_FROM}, "purpose")
    assert not short.startswith(".") and long.startswith(".")  # Django marks zlib with "."
    assert len(long) < bearer.COMPRESS_FROM
    assert bearer.read_signed(short, "purpose", 60) == {"activity": 1, "lang": "en"}
    assert bearer.read_signed(long, "purpose", 60) == {"data": "x" * bearer.COMPRESS_FROM}
    assert bearer.read_signed(short, "another purpose", 60) is None


DATA = [[7, 3, 11, "fr"], {"next": "/lti/report", "n": 1}, ["long " * 60]]


@pytest.mark.parametrize("data", DATA)
def test_values_are_signed_as_djangos_signing_signs_them(clock, data):
    """The kept HMAC key signs as Django's signing (tokens from before still read)."""
    compress = len(json.dumps(data, separators=(",", ":"))) >= bearer.COMPRESS_FROM
    for salt in (bearer.SALT, "koula.lti.form"):
        mine = bearer._signed(data, salt)
        assert mine == signing.dumps(data, salt=salt, compress=compress)
        assert signing.loads(mine, salt=salt, max_age=60) == data
        assert bearer._loads(signing.dumps(data, salt=salt), salt, 60) == data
    with pytest.raises(signing.BadSignature):
        bearer._loads(bearer._signed(data, bearer.SALT), bearer.STAFF_SALT, 60)


def test_a_value_signed_under_a_fallback_key_still_reads(clock):
    old = bearer._signed([1, 2], "koula.lti.form")
    with override_settings(
        SECRET_KEY="a-new-key-" + "n" * 40, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        assert bearer._loads(old, "koula.lti.form", 60) == [1, 2]
        assert bearer._signed([1, 2], "koula.lti.form") != old
    new_key_only = override_settings(SECRET_KEY="a-new-key-" + "n" * 40, SECRET_KEY_FALLBACKS=[])
    with new_key_only, pytest.raises(signing.BadSignature):
        bearer._loads(old, "koula.lti.form", 60)
