"""``KOULA_XAPI_URL`` and its credentials (lti/config.py): unset sends nothing, an unusable
value stops the tool with a message saying how to fix it."""

from __future__ import annotations

import pytest

from lti.config import ConfigError, xapi_url


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for name in ("KOULA_XAPI_URL", "KOULA_XAPI_KEY", "KOULA_XAPI_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_no_url_means_no_xapi():
    assert xapi_url() == ""


def test_the_url_loses_its_trailing_slash(monkeypatch):
    monkeypatch.setenv("KOULA_XAPI_URL", "https://lrs.example.org/xAPI/")
    monkeypatch.setenv("KOULA_XAPI_KEY", "key")
    monkeypatch.setenv("KOULA_XAPI_SECRET", "secret")
    assert xapi_url() == "https://lrs.example.org/xAPI"


def test_a_url_without_credentials_is_refused(monkeypatch):
    monkeypatch.setenv("KOULA_XAPI_URL", "https://lrs.example.org/xAPI")
    monkeypatch.setenv("KOULA_XAPI_KEY", "key")
    with pytest.raises(ConfigError, match="KOULA_XAPI_SECRET"):
        xapi_url()


def test_plain_http_is_refused_beyond_loopback(monkeypatch):
    monkeypatch.setenv("KOULA_XAPI_URL", "http://lrs.example.org/xAPI")
    monkeypatch.setenv("KOULA_XAPI_KEY", "key")
    monkeypatch.setenv("KOULA_XAPI_SECRET", "secret")
    with pytest.raises(ConfigError, match="https"):
        xapi_url()
    monkeypatch.setenv("KOULA_XAPI_URL", "http://127.0.0.1:8100/xAPI")
    assert xapi_url() == "http://127.0.0.1:8100/xAPI"
