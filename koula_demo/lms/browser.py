"""The browser's part of a launch, played with ``requests``: redirects, form_post, cookies.

``requests`` never sends a ``Secure`` cookie over ``http://``, while browsers treat
loopback hosts as secure origins: :func:`browser_session` gives a session that behaves
like a browser there, so a tool's ``SameSite=None; Secure`` state cookie flows in tests.
"""

from __future__ import annotations

from html.parser import HTMLParser
from http.cookiejar import Cookie
from typing import Any
from urllib.parse import urljoin

import requests
from requests.cookies import RequestsCookieJar

from .constants import HTTP_TIMEOUT

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_REDIRECTS = 10


class LoopbackCookieJar(RequestsCookieJar):
    """Keeps ``Secure`` cookies of loopback hosts usable over http, as browsers do.

    (A cookie policy would not do: ``requests`` copies the jar into a fresh one with the
    default policy for every request.)
    """

    def set_cookie(self, cookie: Cookie, *args: Any, **kwargs: Any) -> None:
        if cookie.secure and cookie.domain.lstrip(".") in LOOPBACK_HOSTS:
            cookie.secure = False
        super().set_cookie(cookie, *args, **kwargs)


def browser_session() -> requests.Session:
    """A ``requests.Session`` that keeps cookies as a browser on loopback would."""
    session = requests.Session()
    session.cookies = LoopbackCookieJar()
    return session


class _FormParser(HTMLParser):
    """Finds the first form of a page: its action, method and input values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self._in_form = True
            self.action = values.get("action", "")
            self.method = values.get("method", "get").lower()
        elif tag == "input" and self._in_form and "name" in values:
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def submit_auto_form(session: requests.Session, response: requests.Response) -> requests.Response:
    """Submit the self-posting form of ``response`` (the platform's form_post page)."""
    parser = _FormParser()
    parser.feed(response.text)
    if parser.action is None:
        return response
    action = urljoin(response.url, parser.action)
    if parser.method == "post":
        return session.post(action, data=parser.fields, timeout=HTTP_TIMEOUT)
    return session.get(action, params=parser.fields, timeout=HTTP_TIMEOUT)


def follow_redirects(session: requests.Session, response: requests.Response) -> requests.Response:
    """Follow GET redirects like a browser until a page answers."""
    for _ in range(MAX_REDIRECTS):
        if not response.is_redirect:
            return response
        target = urljoin(response.url, response.headers["Location"])
        response = session.get(target, allow_redirects=False, timeout=HTTP_TIMEOUT)
    raise RuntimeError(f"more than {MAX_REDIRECTS} redirects during a launch")
