"""Reminder e-mails end to end: a real SMTP server on loopback, ``koula reminders run``
against ``koula serve``, and the e-mail's link brings the learner's return to the gradebook.

The tool of this module sends through ``KOULA_EMAIL_URL=smtp://...`` to an aiosmtpd server
(issue 11's "Done when": reminders with a fixed ``--today`` against a real SMTP server).
"""

from __future__ import annotations

import datetime as dt
import email
import re
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as policy
from typing import Any

import pytest
import requests

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of, wait_for
from koula_demo.tool_process import RunningTool, free_port, postgres_available
from tests.conftest import need_real_component
from tests.lti.conftest import CLIENT_ID, CONFIGURED

aiosmtpd = pytest.importorskip("aiosmtpd.controller")
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


class Inbox:
    """What the SMTP server received: each message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def koula_only(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    """The server takes mail from the user and password of KOULA_EMAIL_URL only."""
    from aiosmtpd.smtp import AuthResult, LoginPassword

    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"koula",
        b"s3cret",
    )
    return AuthResult(success=good)


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    received = Inbox()
    server = aiosmtpd.Controller(
        received,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=koula_only,
        auth_required=True,
        auth_require_tls=False,  # loopback, for the test; production uses starttls or smtps
    )
    server.start()
    received.port = server.port  # type: ignore[attr-defined]
    yield received
    server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def tool(request, tmp_path_factory, inbox) -> Iterator[RunningTool]:
    """``koula serve`` whose e-mail goes to the loopback SMTP server (overrides conftest's)."""
    if request.param == "postgres":
        need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    inbox.messages.clear()  # each backend's tool starts with an empty inbox
    running = RunningTool(
        tmp_path_factory.mktemp(f"reminders-{request.param}"),
        backend=request.param,
        KOULA_EMAIL_URL=f"smtp://koula:s3cret@127.0.0.1:{inbox.port}",
        KOULA_EMAIL_FROM="Koula <koula@example.test>",
    )
    yield running
    running.stop()


def committed(platform, browser, user: str, locale: str) -> dt.date:
    response = platform.launch(
        browser, client_id=CLIENT_ID, custom=CONFIGURED, user=user, locale=locale
    )
    assert response.status_code == 200, response.text[:2000]
    context = context_of(response)
    assert act(context, "submit_deliverable", {"values": CARD}).status_code == 200
    answer = act(context, "commit_experiment", {"values": COMMITMENT})
    assert answer.status_code == 200, answer.text
    return dt.date.fromisoformat(answer.json()["commitment"]["due_on"])


def return_link(message: EmailMessage) -> str:
    text = message.get_body(("plain",)).get_content()
    (link,) = set(re.findall(r"http://127\.0\.0\.1:\d+/lti/reminders/return/\S+", text))
    return link


def test_the_reminder_email_brings_the_return_to_the_gradebook(tool, platform, browser, inbox):
    due = committed(platform, browser, "reminded-fr", "fr-CA")
    assert committed(platform, browser, "reminded-en", "en") == due
    done = tool.koula("--lang", "en", "reminders", "run", "--today", due.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reminded-fr" in done.stdout and "reminded-en" in done.stdout
    assert "2 sent" in done.stdout
    assert "s3cret" not in tool.log_path.read_text()
    (french,) = inbox.to("reminded-fr@example.test")
    (english,) = inbox.to("reminded-en@example.test")
    assert french["Content-Language"] == "fr" and "aujourd" in french["Subject"]
    assert english["Content-Language"] == "en" and "due today" in english["Subject"]
    assert french["From"] == "Koula <koula@example.test>"
    assert f"{platform.url}/return" in french.get_body(("plain",)).get_content()

    page = requests.get(return_link(french), timeout=10)
    assert page.status_code == 200
    assert 'data-part="return"' in page.text
    context = context_of(page)
    assert context["lang"] == "fr"
    assert context["state"]["commitment"]["status"] == "committed"  # the return form is next
    answer = act(context, "submit_return", {"values": RETURN})
    assert answer.status_code == 200, answer.text
    wait_for(
        lambda: [
            s
            for s in platform.scores()
            if s["body"]["userId"] == "reminded-fr" and s["body"]["activityProgress"] == "Completed"
        ]
    )


def test_a_second_run_on_the_same_day_sends_nothing_again(tool, platform, browser, inbox):
    due = committed(platform, browser, "reminded-once", "en")
    first = tool.koula("reminders", "run", "--today", due.isoformat())
    again = tool.koula("reminders", "run", "--today", due.isoformat())
    assert first.returncode == again.returncode == 0
    assert "reminded-once" in first.stdout and "reminded-once" not in again.stdout
    assert len(inbox.to("reminded-once@example.test")) == 1


def test_koula_serves_delivery_loop_makes_a_reminder_pass(tool):
    """The loop's first pass comes soon after start (then at most one an hour)."""
    wait_for(lambda: "reminder pass: " in tool.log_path.read_text())


def test_a_bad_email_url_stops_koula_serve_without_showing_its_password(tmp_path):
    import os
    import subprocess
    import sys

    from koula_demo.tool_process import ROOT

    env = {
        **os.environ,
        "KOULA_DATA_DIR": str(tmp_path),
        "KOULA_EMAIL_URL": "smtpx://koula:hunter2@mail.example.test:25",
        "PYTHONPATH": str(ROOT),
    }
    argv = [sys.executable, "-m", "koula.cli", "serve", "--port", str(free_port())]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "KOULA_EMAIL_URL must look like smtp://" in done.stdout
    assert "hunter2" not in done.stdout + done.stderr


def koula_alone(tmp_path, *argv: str, **env: str):
    """Run ``koula`` on a fresh data folder (no ``koula serve``)."""
    import os
    import subprocess
    import sys

    from koula_demo.tool_process import ROOT

    environment = {**os.environ, "KOULA_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT), **env}
    command = [sys.executable, "-m", "koula.cli", *argv]
    return subprocess.run(
        command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("day", ["20260316", "2026-W12-1", "2026-3-16", "16/03/2026"])
def test_koula_reminders_run_refuses_a_day_not_written_yyyy_mm_dd_on_standard_error(tmp_path, day):
    done = koula_alone(tmp_path, "--lang", "en", "reminders", "run", "--today", day)
    assert done.returncode == 2 and done.stdout == ""
    assert "--today takes a date as YYYY-MM-DD" in done.stderr and day in done.stderr


def test_koula_reminders_run_refuses_a_login_in_clear_on_standard_error_without_the_password(
    tmp_path,
):
    url = "smtp://koula:hunter2@mail.example.test:25"
    done = koula_alone(tmp_path, "reminders", "run", KOULA_EMAIL_URL=url)
    assert done.returncode == 2 and done.stdout == ""
    assert "password in clear to mail.example.test" in done.stderr
    assert "hunter2" not in done.stdout + done.stderr
