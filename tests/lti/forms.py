"""Submitting a tool page's form as a browser would: checked radios only, the pressed button."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: list[tuple[str, str]] = []
        self.buttons: list[tuple[str, str]] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self._inside, self.action = True, values.get("action", "")
        elif self._inside and tag == "input" and values.get("name"):
            if values.get("type") in ("radio", "checkbox") and "checked" not in values:
                return
            self.fields.append((values["name"], values.get("value", "")))
        elif self._inside and tag == "button" and values.get("type", "submit") == "submit":
            self.buttons.append((values.get("name", ""), values.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def submit_form(
    session: requests.Session, page: requests.Response, *, button: int = 0, **changes: str
) -> requests.Response:
    """Submit the first form of ``page`` with ``changes``, pressing button ``button``."""
    form = _Form()
    form.feed(page.text)
    assert form.action is not None, page.text[:1000]
    data = dict(form.fields)
    data.update(changes)
    name, value = form.buttons[button]
    if name:
        data[name] = value
    return session.post(urljoin(page.url, form.action), data=data, timeout=15)
