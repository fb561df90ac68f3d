"""Sending e-mail: each :class:`Letter` through the transport ``KOULA_EMAIL_URL`` names.

``smtp://`` (``?starttls=1`` upgrades the connection) and ``smtps://`` go through
:mod:`smtplib`, every exchange bounded by ``KOULA_EMAIL_TIMEOUT`` (default
``KOULA_HTTP_TIMEOUT``); ``mailbox:///folder`` writes each message there as an ``.eml``
file (the demo's mailbox). A message is multipart: the plain text, then the same in HTML.
:class:`MailSender` sends many letters on one connection (a reminder pass, a nudge);
:func:`send_letter` sends one. Both raise :class:`MailFailed` when a message could not be
handed over, :class:`MailUnreachable` (a MailFailed) when the server could not be reached
or the connection broke, so the caller stops instead of waiting out the timeout once per
letter; the message and the log name the host, never the URL's password nor the
recipient. Without ``KOULA_EMAIL_URL`` (:func:`mail_configured` is False) nothing can be
sent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from lti import config

__all__ = [
    "Letter",
    "MailFailed",
    "MailSender",
    "MailUnreachable",
    "mail_configured",
    "send_letter",
]

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
    """Hand ``letter`` over to the transport of ``KOULA_EMAIL_URL`` on a connection of its
    own; raise MailFailed (MailUnreachable when the server could not be reached)."""
    with MailSender() as sender:
        sender.send(letter)


class MailUnreachable(MailFailed):
    """The mail server could not be reached, or the connection broke (refused, timed out,
    dropped, TLS or login refused): the letters after this one would not leave either."""


class MailSender:
    """One connection to the mail server for many letters (a reminder pass, a nudge).

    Use it as a context manager: the connection opens with the first letter (a pass with
    nothing to send opens none) and closes at the end. A server that dropped the connection
    meanwhile (an idle timeout, a limit of messages per connection) gets one new connection
    for that letter. :meth:`send` raises :class:`MailFailed` when the server refused this
    letter, :class:`MailUnreachable` when the connection failed: stop sending then.
    """

    def __init__(self) -> None:
        self.url = config.email_url()
        self.parts = urlsplit(self.url)
        self.server: smtplib.SMTP | None = None

    def __enter__(self) -> MailSender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, letter: Letter) -> None:
        """Hand ``letter`` over; raise MailFailed, or MailUnreachable (see the class)."""
        if not self.url:
            raise MailFailed("KOULA_EMAIL_URL is not set: no e-mail can be sent")
        message = message_of(letter)
        if self.parts.scheme == "mailbox":
            _write_to_mailbox(Path(unquote(self.parts.path)), message)
            return
        try:
            self._send(message, reconnect=self.server is not None)
        except MailUnreachable:
            self._drop()  # no goodbye: a silent server would make it wait out the timeout
            raise

    def close(self) -> None:
        """Say goodbye to the server (if it still listens) and close the connection."""
        server = self.server
        if server is None:
            return
        with contextlib.suppress(OSError):  # gone already: the socket is closed below
            server.quit()
        self._drop()

    def _drop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.close()

    def _send(self, message: EmailMessage, *, reconnect: bool) -> None:
        host = self.parts.hostname or ""
        if self.server is None:
            try:
                self.server = _connect(self.parts)
            except (OSError, smtplib.SMTPException) as error:
                raise _failure(MailUnreachable, host, error) from None
        try:
            self.server.send_message(message)
        except smtplib.SMTPServerDisconnected as error:
            self.server = None
            if reconnect:  # a connection kept from the last letter: once more on a new one
                self._send(message, reconnect=False)
                return
            raise _failure(MailUnreachable, host, error) from None
        except smtplib.SMTPException as error:  # this letter refused; the connection holds
            raise _failure(MailFailed, host, error) from None
        except OSError as error:  # a timeout or a broken socket: the exchange is lost
            raise _failure(MailUnreachable, host, error) from None


def _failure(kind: type[MailFailed], host: str, error: Exception) -> MailFailed:
    """The error to raise, logged: the host and what happened, never the URL (it holds the
    password) nor the recipient's address (a refused recipient is said by its codes)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in error.recipients.values()})
        said = f"the recipient was refused ({', '.join(codes)})"
    elif isinstance(error, smtplib.SMTPResponseException):
        said = f"the server answered {error.smtp_code}"
    else:
        said = str(error)
    log.warning("e-mail not sent through %s: %s: %s", host, type(error).__name__, said)
    return kind(f"{host}: {type(error).__name__}: {said}")


def _connect(parts: SplitResult) -> smtplib.SMTP:
    """Open a connection to the server of ``parts``, upgraded and logged in as it says."""
    host, port = parts.hostname or "", parts.port
    timeout = config.email_timeout()
    tls = ssl.create_default_context(cafile=config.ca_bundle())
    server: smtplib.SMTP
    if parts.scheme == "smtps":
        server = smtplib.SMTP_SSL(host, port or 465, timeout=timeout, context=tls)
    else:
        server = smtplib.SMTP(host, port or 25, timeout=timeout)
    try:
        if config.email_flag(parts.query, "starttls"):
            server.starttls(context=tls)
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
    except BaseException:
        server.close()
        raise
    return server


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
