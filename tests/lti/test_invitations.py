"""Registration is an admin's act: a platform registers only through an open invitation.

``koula platforms invite`` prints a single-use link ``<base>/lti/register/<token>``. Without
an open invitation the tool answers a 403 page saying how to get one, and the platform
(which records every request it receives) is never called. See lti/services/invitations.py.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from koula_demo.lms import Platform
from koula_demo.lms import app as platform_app
from koula_demo.tool_process import RunningTool

HOW_TO = "koula platforms invite"
ALERT = re.compile(r'role="alert"><p>(.*?)</p>')


class RecordingPlatform(Platform):
    """A test platform that keeps every request it receives (method and path)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        super().__init__()

    def wsgi_app(self) -> Any:
        inner = super().wsgi_app()

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            self.received.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            return inner(environ, start_response)

        return app


@pytest.fixture
def recording() -> Iterator[RecordingPlatform]:
    with RecordingPlatform() as platform:
        yield platform
        assert platform.server_errors == []


@pytest.fixture
def new_platform() -> Iterator[Platform]:
    with Platform() as platform:
        yield platform
        assert platform.server_errors == []


def hashed(link: str) -> str:
    return hashlib.sha256(link.rsplit("/", 1)[1].encode()).hexdigest()


def expire(tool: RunningTool, link: str) -> None:
    """Move the invitation's end to its creation: it is as if its time had passed."""
    tool.sql(
        "UPDATE koula_lti_invitation SET expires_at = created_at WHERE token_hash = %s",
        hashed(link),
    )


def register_through(link: str, platform: Platform, **headers: str) -> requests.Response:
    """What the platform does with the pasted link: open it with its own query."""
    return requests.get(platform.registration_start_url(link), headers=headers, timeout=30)


def test_a_platform_registers_through_a_link_which_is_then_spent(tool, new_platform, recording):
    link = tool.invite("--note", "Moodle of the Faculty")
    assert hashed(link)[:10] in tool.koula("platforms", "invites").stdout
    answer = register_through(link, new_platform)
    assert answer.status_code == 200, answer.text[:2000]
    (client_id,) = new_platform.tools
    assert f"client_id={client_id}" in tool.koula("platforms", "list").stdout
    assert hashed(link)[:10] not in tool.koula("platforms", "invites").stdout
    (used,) = [
        line
        for line in tool.koula("platforms", "invites", "--all").stdout.splitlines()
        if line.startswith(hashed(link)[:10])
    ]
    assert "used" in used and new_platform.issuer in used and "Moodle of the Faculty" in used
    again = register_through(link, recording)
    assert again.status_code == 403
    assert recording.received == []
    assert recording.tools == {}


def wrong_link(tool: RunningTool) -> str:
    return f"{tool.url}/lti/register/{'x' * 43}"


def expired_link(tool: RunningTool) -> str:
    link = tool.invite()
    expire(tool, link)
    return link


def revoked_link(tool: RunningTool) -> str:
    link = tool.invite()
    done = tool.koula("platforms", "revoke-invite", hashed(link)[:10])
    assert done.returncode == 0, done.stdout + done.stderr
    return link


def spent_link(tool: RunningTool) -> str:
    link = tool.invite()
    with Platform() as first:
        assert register_through(link, first).status_code == 200
    return link


@pytest.mark.parametrize(
    "make_link",
    [lambda tool: f"{tool.url}/lti/register", wrong_link, expired_link, revoked_link, spent_link],
    ids=["missing", "wrong", "expired", "revoked", "spent"],
)
def test_without_an_open_invitation_the_platform_receives_no_request(tool, recording, make_link):
    answer = register_through(make_link(tool), recording)
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("text/html")
    assert 'role="alert"' in answer.text
    assert HOW_TO in answer.text
    assert recording.received == []
    assert recording.tools == {}


def test_the_refusal_does_not_say_which_of_wrong_expired_revoked_or_spent(tool):
    answers = [
        requests.get(link, timeout=30)
        for link in (wrong_link(tool), expired_link(tool), revoked_link(tool), spent_link(tool))
    ]
    assert {answer.status_code for answer in answers} == {403}
    (said,) = {ALERT.search(answer.text).group(1) for answer in answers}  # type: ignore[union-attr]
    assert "not valid" in said


def test_the_refusal_page_speaks_the_admins_french(tool, recording):
    answer = register_through(
        wrong_link(tool), recording, **{"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
    )
    assert answer.status_code == 403
    assert answer.headers["Content-Language"] == "fr"
    text = html.unescape(answer.text)
    assert "Ce lien d'enregistrement n'est pas valable" in text
    assert "Obtenir un lien d'enregistrement" in text and HOW_TO in text
    plain = requests.get(f"{tool.url}/lti/register", headers={"Accept-Language": "fr"}, timeout=30)
    assert "Cette adresse n'est pas un lien d'enregistrement" in html.unescape(plain.text)


def test_the_refusal_page_says_how_to_get_a_link_in_english(tool):
    answer = requests.get(f"{tool.url}/lti/register", timeout=30)
    assert answer.status_code == 403
    assert answer.headers["Content-Language"] == "en"
    text = html.unescape(answer.text)
    assert "This address is not a registration link" in text
    assert "Ask whoever administers the Koula server" in text and HOW_TO in text
    assert f"{tool.url}/lti/register/…" in text


@pytest.mark.parametrize(
    "path",
    [
        "/lti/register/",
        "/lti/register/%00",
        "/lti/register/%FF%FE",
        "/lti/register/%0A",
        "/lti/register/é?openid_configuration=x",
        "/lti/register/a/b/../c",
        "/lti/register/" + "A" * 10_000,
        "/lti/register/%ED%A0%80",  # an encoded lone surrogate
    ],
    ids=["empty", "nul", "bad-utf8", "newline", "accent", "slashes", "huge", "surrogate"],
)
def test_odd_or_forged_tokens_get_the_refusal_page_never_a_500(tool, path):
    answer = requests.get(f"{tool.url}{path}", timeout=30)
    assert answer.status_code == 403
    assert HOW_TO in answer.text


def test_two_registrations_racing_on_one_link_store_only_one(tool, monkeypatch):
    """Both pass the check; the platform holds both POSTs until both arrived; one wins."""
    register = platform_app.HANDLERS["register"]
    both_posted = threading.Barrier(2, timeout=20)

    def register_together(platform: Platform, request: Any) -> Any:
        both_posted.wait()
        return register(platform, request)

    monkeypatch.setitem(platform_app.HANDLERS, "register", register_together)
    link = tool.invite()
    with Platform() as first, Platform() as second, ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda p: register_through(link, p), [first, second]))
        assert sorted(answer.status_code for answer in answers) == [200, 403]
        winner, loser = (first, second) if answers[0].status_code == 200 else (second, first)
        assert len(winner.tools) == len(loser.tools) == 1  # both platforms said yes
        listed = tool.koula("platforms", "list").stdout
        (won,), (lost,) = winner.tools, loser.tools
        assert f"client_id={won}" in listed
        assert f"client_id={lost}" not in listed  # the second registration was not stored
        assert "not valid" in (answers[0].text + answers[1].text)
        (used,) = [
            line
            for line in tool.koula("platforms", "invites", "--all").stdout.splitlines()
            if line.startswith(hashed(link)[:10])
        ]
        assert winner.issuer in used and lost not in used


def test_a_failed_registration_leaves_the_link_open(tool, new_platform):
    link = tool.invite()
    query = urlencode({"openid_configuration": "https://lms.example/openid"})
    assert requests.get(f"{link}?{query}", timeout=30).status_code == 400
    assert hashed(link)[:10] in tool.koula("platforms", "invites").stdout
    assert register_through(link, new_platform).status_code == 200


def test_an_open_link_never_reaches_the_log(tool):
    link = tool.invite()
    query = urlencode({"openid_configuration": "not a url", "registration_token": "t"})
    assert requests.get(f"{link}?{query}", timeout=30).status_code == 400
    assert "RegistrationFailed on /lti/register/<token>" in tool.log_path.read_text()
    assert link.rsplit("/", 1)[1] not in tool.log_path.read_text()
