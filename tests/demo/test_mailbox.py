"""The demo's mailbox (koula_demo/mailbox.py and its pages): the e-mails the tool wrote."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from koula_demo.mailbox import letter, letters, linked
from koula_demo.sandbox import Sandbox
from koula_demo.store import StateStore
from lti.mail import Letter, send_letter

HTML = '<p>Hello <a href="http://127.0.0.1:8001/lti/reminders/return/abc">Report back</a></p>'


@pytest.fixture
def mailbox(tmp_path, monkeypatch):
    folder = tmp_path / "mailbox"
    monkeypatch.setenv("KOULA_EMAIL_URL", f"mailbox://{folder}")
    for subject in ("First <reminder>", "Second"):
        send_letter(
            Letter(
                to="camille@sandbox.example",
                subject=subject,
                text="Report back now\nhttp://127.0.0.1:8001/lti/reminders/return/abc\n",
                html=HTML,
            )
        )
    return folder


def test_the_mailbox_lists_the_tools_emails_newest_first(mailbox):
    assert [m.subject for m in letters(mailbox)] == ["Second", "First <reminder>"]
    assert letters(mailbox / "not-yet") == []


def test_only_the_mailboxs_own_files_can_be_read(mailbox):
    name = letters(mailbox)[0].name
    assert letter(mailbox, name).to == "camille@sandbox.example"
    assert letter(mailbox, "../mailbox/" + name) is None
    assert letter(mailbox, "missing.eml") is None


def test_a_messages_text_is_escaped_and_its_links_are_clickable():
    shown = str(linked("<b>x</b> see https://a.example/p?q=1&r=2 now"))
    assert "&lt;b&gt;" in shown
    assert '<a href="https://a.example/p?q=1&amp;r=2" target="_blank"' in shown


def test_the_sandbox_shows_the_mailbox_and_a_message_in_a_sandboxed_frame(mailbox, tmp_path):
    sandbox = Sandbox(0, StateStore(tmp_path / "sandbox.sqlite3"), mailbox=mailbox)
    try:
        client = Client(sandbox.wsgi_app())
        listing = client.get("/mailbox").get_data(as_text=True)
        assert "First &lt;reminder&gt;" in listing
        name = letters(mailbox)[0].name
        shown = client.get(f"/mailbox/{name}").get_data(as_text=True)
        assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in shown
        assert 'srcdoc="&lt;base target=&#34;_blank&#34;&gt;&lt;p&gt;Hello' in shown
        assert client.get("/mailbox/..%2Fsandbox.sqlite3").status_code == 404
    finally:
        sandbox.close()
