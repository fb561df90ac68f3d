"""Sending e-mail (lti/mail.py) to a real SMTP server on loopback: plain, STARTTLS, SMTPS.

The server is aiosmtpd with a certificate made for 127.0.0.1, which the tool trusts through
``REQUESTS_CA_BUNDLE`` as it would a company's own CA.
"""

from __future__ import annotations

import email
import logging
import ssl
from email.policy import default as policy
from typing import Any

import pytest

from koula_demo.tool_process import free_port
from lti.mail import Letter, MailFailed, send_letter
from tests.lti.outbound_servers import certificate as self_signed

controller = pytest.importorskip("aiosmtpd.controller")
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

LETTER = Letter(
    to="ana@example.test",
    subject="Your experiment is due today: report back",
    text="Report back now\nhttps://koula.example.test/lti/reminders/return/abc\n",
    html="<p>Report back now</p>",
    language="fr",
    unsubscribe_url="https://koula.example.test/lti/reminders/unsubscribe/xyz",
)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy))
        return "250 OK"


def only_koula(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"koula", b"p@ss")
    return AuthResult(success=ok)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, and its key (PEM files)."""
    cert_path, key_path = self_signed(tmp_path_factory.mktemp("smtp-tls"), "127.0.0.1")
    return str(cert_path), str(key_path)


def serve(inbox: Inbox, **options: Any) -> Any:
    server = controller.Controller(
        inbox, hostname="127.0.0.1", port=free_port(), authenticator=only_koula, **options
    )
    server.start()
    return server


def tls(certificate: tuple[str, str]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def test_a_letter_goes_through_starttls_with_a_login(monkeypatch, certificate):
    inbox = Inbox()
    server = serve(inbox, tls_context=tls(certificate), require_starttls=True, auth_required=True)
    try:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])
        monkeypatch.setenv(
            "KOULA_EMAIL_URL", f"smtp://koula:p%40ss@127.0.0.1:{server.port}?starttls=1"
        )
        monkeypatch.setenv("KOULA_EMAIL_FROM", "Koula <koula@example.test>")
        send_letter(LETTER)
    finally:
        server.stop()
    (message,) = inbox.messages
    assert message["From"] == "Koula <koula@example.test>"
    assert message["Content-Language"] == "fr"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == LETTER.text
    assert message.get_body(("html",)).get_content().strip() == LETTER.html


def test_a_letter_goes_through_smtps(monkeypatch, certificate):
    inbox = Inbox()
    # aiosmtpd offers AUTH over implicit TLS only when told TLS is not required (it is there)
    server = serve(inbox, ssl_context=tls(certificate), auth_required=True, auth_require_tls=False)
    try:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])
        monkeypatch.setenv("KOULA_EMAIL_URL", f"smtps://koula:p%40ss@127.0.0.1:{server.port}")
        send_letter(LETTER)
    finally:
        server.stop()
    assert len(inbox.messages) == 1


def test_a_refused_login_fails_without_the_password_in_the_error_or_the_log(monkeypatch, caplog):
    inbox = Inbox()
    server = serve(inbox, auth_required=True, auth_require_tls=False)
    try:
        monkeypatch.setenv("KOULA_EMAIL_URL", f"smtp://koula:wrong-secret@127.0.0.1:{server.port}")
        monkeypatch.setenv("KOULA_EMAIL_TIMEOUT", "1")  # aiosmtpd answers a bad login slowly
        with caplog.at_level(logging.INFO), pytest.raises(MailFailed) as failed:
            send_letter(LETTER)
    finally:
        server.stop()
    assert "wrong-secret" not in str(failed.value)
    assert "wrong-secret" not in caplog.text
    assert inbox.messages == []


def test_a_server_that_does_not_answer_fails_within_the_timeout(monkeypatch):
    import socket

    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        monkeypatch.setenv("KOULA_EMAIL_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("KOULA_EMAIL_TIMEOUT", "0.5")
        with pytest.raises(MailFailed):
            send_letter(LETTER)


def letter_to(address: str) -> Letter:
    return Letter(to=address, subject="Due today", text="Report back", html="<p>Report back</p>")


def test_a_sender_hands_many_letters_over_on_one_connection(monkeypatch):
    from lti.mail import MailSender
    from tests.lti.mail_servers import smtp_inbox

    with smtp_inbox() as (inbox, server):
        monkeypatch.setenv("KOULA_EMAIL_URL", f"smtp://127.0.0.1:{server.port}")
        with MailSender() as sender:
            for name in ("ana", "bob", "cy"):
                sender.send(letter_to(f"{name}@example.test"))
    assert [m["To"] for m in inbox.messages] == [
        "ana@example.test",
        "bob@example.test",
        "cy@example.test",
    ]
    assert len(set(inbox.peers)) == 1


def test_a_sender_connects_again_once_when_the_server_dropped_the_connection(monkeypatch):
    from lti.mail import MailSender
    from tests.lti.mail_servers import smtp_inbox

    port = free_port()
    monkeypatch.setenv("KOULA_EMAIL_URL", f"smtp://127.0.0.1:{port}")
    with MailSender() as sender:
        with smtp_inbox(port) as (first, _):
            sender.send(letter_to("ana@example.test"))
        with smtp_inbox(port) as (second, _):  # the server restarted: the connection is gone
            sender.send(letter_to("bob@example.test"))
    assert [m["To"] for m in first.messages + second.messages] == [
        "ana@example.test",
        "bob@example.test",
    ]


def test_a_refused_recipient_fails_that_letter_only_and_the_log_keeps_the_address_out(
    monkeypatch, caplog
):
    from lti.mail import MailSender, MailUnreachable
    from tests.lti.mail_servers import smtp_inbox

    with smtp_inbox() as (inbox, server):
        inbox.refused.add("gone@example.test")
        monkeypatch.setenv("KOULA_EMAIL_URL", f"smtp://127.0.0.1:{server.port}")
        with MailSender() as sender, caplog.at_level(logging.INFO):
            with pytest.raises(MailFailed) as failed:
                sender.send(letter_to("gone@example.test"))
            sender.send(letter_to("ana@example.test"))
    assert not isinstance(failed.value, MailUnreachable)
    assert "550" in str(failed.value)
    ours = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("lti"))
    assert "refused (550)" in ours
    assert "gone@" not in str(failed.value) + ours
    assert [m["To"] for m in inbox.messages] == ["ana@example.test"]


def test_a_silent_server_makes_the_sender_say_it_is_unreachable(monkeypatch):
    from lti.mail import MailSender, MailUnreachable
    from tests.lti.mail_servers import silent_server

    with silent_server() as silent:
        monkeypatch.setenv("KOULA_EMAIL_URL", silent.url())
        monkeypatch.setenv("KOULA_EMAIL_TIMEOUT", "0.5")
        with MailSender() as sender, pytest.raises(MailUnreachable):
            sender.send(LETTER)


@pytest.mark.parametrize(
    "url",
    [
        "smtp://koula:hunter2@smtp.example.org:587",
        "smtp://koula:hunter2@10.0.0.5",
        "smtp://koula:hunter2@smtp.example.org?starttls=0",
    ],
)
def test_a_login_in_clear_to_another_machine_is_refused_without_showing_the_password(
    monkeypatch, url
):
    from lti.config import ConfigError, email_url

    monkeypatch.setenv("KOULA_EMAIL_URL", url)
    with pytest.raises(ConfigError) as refused:
        email_url()
    assert "in clear" in str(refused.value) and "?insecure=1" in str(refused.value)
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    "url",
    [
        "smtp://koula:pw@smtp.example.org:587?starttls=1",
        "smtps://koula:pw@smtp.example.org",
        "smtp://koula:pw@smtp.example.org:25?insecure=1",
        "smtp://koula:pw@127.0.0.1:2525",
        "smtp://koula:pw@localhost",
        "smtp://smtp.example.org:25",
    ],
)
def test_a_login_over_tls_to_loopback_or_opted_in_is_accepted(monkeypatch, url):
    from lti.config import email_url

    monkeypatch.setenv("KOULA_EMAIL_URL", url)
    assert email_url() == url
