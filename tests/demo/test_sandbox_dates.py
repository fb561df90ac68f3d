"""The sandbox writes dates in the page's language: the mailbox's e-mails, the gradebook's."""

from __future__ import annotations

from werkzeug.test import Client

from koula_demo.sandbox import Sandbox
from koula_demo.store import StateStore
from lti.mail import Letter, send_letter


def test_the_mailbox_writes_an_emails_day_in_the_pages_language(tmp_path, monkeypatch):
    folder = tmp_path / "mailbox"
    monkeypatch.setenv("KOULA_EMAIL_URL", f"mailbox://{folder}")
    send_letter(
        Letter(to="camille@sandbox.example", subject="Rappel", text="Texte", html="<p>x</p>")
    )
    sandbox = Sandbox(0, StateStore(tmp_path / "sandbox.sqlite3"), mailbox=folder)
    try:
        client = Client(sandbox.wsgi_app())
        french = client.get("/mailbox?lang=fr").get_data(as_text=True)
        english = client.get("/mailbox?lang=en").get_data(as_text=True)
    finally:
        sandbox.close()

    (line,) = [row for row in french.splitlines() if "Rappel" in row]
    assert any(month in line for month in FRENCH_MONTHS), line
    assert "Date (UTC)" in english and "Date (UTC)" in french
    assert "+0000" not in english


FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
