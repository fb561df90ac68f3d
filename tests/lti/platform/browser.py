"""The browser's part of a launch, played with ``requests``: redirects, form_post, cookies.

``requests`` never sends a ``Secure`` cookie over ``http://``, while browsers treat
loopback hosts as secure origins: :func:`browser_session` gives a session that behaves
like the browser there, so a tool's ``SameSite=None; Secure`` state cookie flows in tests.
"""

from __future__ import annotations

from http.cookiejar import Cookie, DefaultCookiePolicy
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from .constants import HTTP_TIMEOUT

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_REDIRECTS = 10


class LoopbackSecureCookiePolicy(DefaultCookiePolicy):
    """Send ``Secure`` cookies to loopback hosts over http, as browsers do."""

    def return_ok_secure(self, cookie: Cookie, request: Any) -> bool:
        if urlsplit(request.get_full_url()).hostname in LOOPBACK_HOSTS:
            return True
        return bool(super().return_ok_secure(cookie, request))


def browser_session() -> requests.Session:
    """A ``requests.Session`` that keeps cookies as a browser on loopback would."""
    session = requests.Session()
    session.cookies.set_policy(LoopbackSecureCookiePolicy())
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


def follow_redirects(
    session: requests.Session, response: requests.Response, stop_at: str
) -> requests.Response:
    """Follow redirects like a browser, up to (and including) the first page under ``stop_at``."""
    for _ in range(MAX_REDIRECTS):
        if not response.is_redirect or response.url.startswith(stop_at):
            return response
        target = urljoin(response.url, response.headers["Location"])
        response = session.get(target, allow_redirects=False, timeout=HTTP_TIMEOUT)
    raise RuntimeError(f"more than {MAX_REDIRECTS} redirects during a launch")
