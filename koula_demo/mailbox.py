"""The demo's mailbox: the e-mails the tool wrote to ``<data>/mailbox`` (``KOULA_EMAIL_URL=
mailbox://...``), listed newest first and read back for the sandbox's mailbox page.

A message's HTML is shown in a sandboxed frame (no script, links open a new tab) and its
plain text with the links made clickable; both are escaped by the page's template.
"""

from __future__ import annotations

import datetime as dt
import email
import email.utils
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as policy
from pathlib import Path

from markupsafe import Markup, escape

__all__ = ["Letter", "letter", "letters", "linked"]

NAME = re.compile(r"^[0-9]+-[0-9a-f]{8}\.eml$")  # as lti/mail.py names them
URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Letter:
    name: str
    to: str
    subject: str
    date: str
    text: str
    html: str


def _utc(header: str) -> str:
    """Return an e-mail's Date header as ``YYYY-MM-DD HH:MM`` in UTC ("" when unreadable), so
    pages can write the day in their language."""
    try:
        sent = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return ""
    if sent.tzinfo is not None:
        sent = sent.astimezone(dt.UTC)
    return sent.strftime("%Y-%m-%d %H:%M")


def _read(path: Path) -> Letter:
    message = email.message_from_bytes(path.read_bytes(), policy=policy)
    assert isinstance(message, EmailMessage)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return Letter(
        name=path.name,
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        date=_utc(str(message["Date"] or "")),
        text=text.get_content() if isinstance(text, EmailMessage) else "",
        html=html.get_content() if isinstance(html, EmailMessage) else "",
    )


def letters(folder: Path | None) -> list[Letter]:
    """The messages in ``folder``, newest first (none when it does not exist yet)."""
    if folder is None or not folder.is_dir():
        return []
    names = sorted((p for p in folder.iterdir() if NAME.match(p.name)), reverse=True)
    return [_read(path) for path in names]


def letter(folder: Path | None, name: str) -> Letter | None:
    """The message ``name`` of ``folder`` (None for any other name: no path is followed)."""
    if folder is None or not NAME.match(name) or not (folder / name).is_file():
        return None
    return _read(folder / name)


def linked(text: str) -> Markup:
    """``text`` escaped, its http(s) URLs made links that open in a new tab."""
    out, last = [], 0
    for match in URL.finditer(text):
        out.append(escape(text[last : match.start()]))
        url = escape(match.group(0))
        out.append(Markup(f'<a href="{url}" target="_blank" rel="noopener">{url}</a>'))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
