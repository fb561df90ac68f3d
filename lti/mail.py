"""Sending e-mail: one :class:`Letter` through the transport ``KOULA_EMAIL_URL`` names.

``smtp://`` (``?starttls=1`` upgrades the connection) and ``smtps://`` go through
:mod:`smtplib`, every exchange bounded by ``KOULA_EMAIL_TIMEOUT`` (default
``KOULA_HTTP_TIMEOUT``); ``mailbox:///folder`` writes each message there as an ``.eml``
file (the demo's mailbox). A message is multipart: the plain text, then the same in HTML.
:func:`send_letter` raises :class:`MailFailed` when the message could not be handed over;
its message and the log name the host, never the URL's password. Without
``KOULA_EMAIL_URL`` (:func:`mail_configured` is False) nothing can be sent.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from lti import config

__all__ = ["Letter", "MailFailed", "mail_configured", "send_letter"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Letter:
    """One e-mail to one person: the subject, the same words as text and HTML."""

    to: str
    subject: str
    text: str
    html: str
    language: str = "en"
    unsubscribe_url: str = ""
    """Sent as ``List-Unsubscribe`` (with RFC 8058's one-click POST) when set."""


class MailFailed(Exception):
    """The message could not be handed to the mail server (or written to the mailbox)."""


def mail_configured() -> bool:
    """Return True when ``KOULA_EMAIL_URL`` is set (raise ConfigError when it is unusable)."""
    return bool(config.email_url())


def message_of(letter: Letter) -> EmailMessage:
    """Return ``letter`` as a multipart/alternative message from ``KOULA_EMAIL_FROM``."""
    message = EmailMessage()
    message["From"] = config.email_from()
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="koula")
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies
    if letter.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{letter.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(letter.text)
    message.add_alternative(letter.html, subtype="html")
    message["Content-Language"] = letter.language  # after the content: set_content drops it
    return message


def send_letter(letter: Letter) -> None:
    """Hand ``letter`` over to the transport of ``KOULA_EMAIL_URL``; raise MailFailed."""
    url = config.email_url()
    if not url:
        raise MailFailed("KOULA_EMAIL_URL is not set: no e-mail can be sent")
    parts = urlsplit(url)
    message = message_of(letter)
    if parts.scheme == "mailbox":
        _write_to_mailbox(Path(unquote(parts.path)), message)
        return
    host = parts.hostname or ""
    try:
        _send_smtp(parts, message)
    except (OSError, smtplib.SMTPException) as error:
        # The error's class and text, the host: never the URL (it holds the password).
        log.warning("e-mail not sent through %s: %s: %s", host, type(error).__name__, error)
        raise MailFailed(f"{host}: {type(error).__name__}: {error}") from None


def _send_smtp(parts: SplitResult, message: EmailMessage) -> None:
    host, port = parts.hostname or "", parts.port
    timeout = config.email_timeout()
    tls = ssl.create_default_context(cafile=config.ca_bundle())
    starttls = parse_qs(parts.query).get("starttls", ["0"])[-1] in ("1", "true", "yes")
    server: smtplib.SMTP
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(host, port or 465, timeout=timeout, context=tls)
    else:
        server = smtplib.SMTP(host, port or 25, timeout=timeout)
    with server:
        if starttls:
            server.starttls(context=tls)
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        server.send_message(message)


def _write_to_mailbox(folder: Path, message: EmailMessage) -> None:
    """Write ``message`` to ``folder`` as ``<time>-<random>.eml``, whole or not at all."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid1().time:020d}-{uuid.uuid4().hex[:8]}.eml"
        partial = folder / f".{name}.part"
        partial.write_bytes(message.as_bytes())
        os.replace(partial, folder / name)
    except OSError as error:
        log.warning("e-mail not written to the mailbox %s: %s", folder, error)
        raise MailFailed(f"mailbox {folder}: {error}") from None
