"""An admin pastes a Koula registration link into a platform; Koula registers itself there.

Every registration here goes through an invitation (``koula platforms invite``); what an
invitation allows and refuses is in test_invitations.py.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from koula_demo.lms import Platform, browser_session
from koula_demo.lms import app as platform_app
from koula_demo.lms.constants import DEEP_LINKING_REQUEST, SERVICE_SCOPES, TOOL_CONFIGURATION
from tests.lti.conftest import CONFIGURED

CLOSE_MESSAGE = '{"subject": "org.imsglobal.lti.close"}'


@pytest.fixture
def new_platform(tool) -> Iterator[Platform]:
    """A fresh platform that does not know Koula yet."""
    with Platform() as platform:
        yield platform
        assert platform.server_errors == []


def open_registration(tool, platform: Platform, **headers: str) -> requests.Response:
    """What the platform does when the admin pastes Koula's link: open it in a window."""
    start = platform.registration_start_url(tool.invite())
    return requests.get(start, headers=headers, timeout=30)


def registered_client_id(tool, platform: Platform) -> str:
    answer = open_registration(tool, platform)
    assert answer.status_code == 200, answer.text[:2000]
    (client_id,) = platform.tools
    return client_id


def launch(platform: Platform, client_id: str) -> requests.Response:
    return platform.launch(browser_session(), client_id=client_id, custom=CONFIGURED)


def test_a_platform_registers_koula_which_then_launches_at_once(tool, new_platform):
    answer = open_registration(tool, new_platform)
    assert answer.status_code == 200, answer.text[:2000]
    assert "Koula is registered" in answer.text
    assert "Moodle" in answer.text
    assert "(window.opener || window.parent).postMessage(" in answer.text
    assert f'{CLOSE_MESSAGE}, "*")' in answer.text
    (client_id,) = new_platform.tools
    record = new_platform.tools[client_id]
    assert record.login_url == f"{tool.url}/lti/login"
    assert record.launch_url == record.deep_link_url == f"{tool.url}/lti/launch"
    assert record.redirect_uris == [f"{tool.url}/lti/launch"]
    assert record.jwks_url == f"{tool.url}/lti/jwks.json"
    metadata = record.metadata
    assert metadata["client_name"] == "Koula"
    assert metadata["grant_types"] == ["implicit", "client_credentials"]
    assert metadata["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(metadata["scope"].split()) == set(SERVICE_SCOPES)
    configuration = metadata[TOOL_CONFIGURATION]
    assert configuration["domain"] == urlsplit(tool.url).netloc
    assert {"iss", "sub", "name", "email", "locale"} <= set(configuration["claims"])
    (deep_linking,) = [m for m in configuration["messages"] if m["type"] == DEEP_LINKING_REQUEST]
    assert deep_linking["placements"] == ["ContentArea"]
    page = launch(new_platform, client_id)
    assert page.status_code == 200, page.text[:2000]
    assert "koula-context" in page.text


def test_koula_platforms_list_shows_the_dynamically_registered_platform(tool, new_platform):
    client_id = registered_client_id(tool, new_platform)
    listed = tool.koula("platforms", "list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    (line,) = [line for line in listed.stdout.splitlines() if line.startswith(new_platform.issuer)]
    deployment_id = new_platform.tools[client_id].deployment_id
    assert f"client_id={client_id}" in line
    assert f"deployments={deployment_id}" in line


def test_a_platform_that_returns_no_deployment_id_has_its_first_deployment_accepted(
    tool, new_platform, monkeypatch
):
    register = platform_app.HANDLERS["register"]

    def register_without_deployment(platform, request):
        response = register(platform, request)
        body = json.loads(response.get_data())
        del body[TOOL_CONFIGURATION]["deployment_id"]
        response.set_data(json.dumps(body))
        return response

    monkeypatch.setitem(platform_app.HANDLERS, "register", register_without_deployment)
    client_id = registered_client_id(tool, new_platform)
    page = launch(new_platform, client_id)
    assert page.status_code == 200, page.text[:2000]
    assert "koula-context" in page.text
    listed = tool.koula("platforms", "list").stdout
    assert f"client_id={client_id}  deployments={new_platform.tools[client_id].deployment_id}" in (
        listed
    )


def test_an_issuer_from_another_origin_is_refused_and_nothing_is_registered(tool, new_platform):
    new_platform.issuer_override = "https://evil.example"
    link = tool.invite()
    start = new_platform.registration_start_url(link)
    answer = requests.get(start, timeout=30)
    assert answer.status_code == 400
    assert "does not match" in answer.text
    assert new_platform.tools == {}
    (token,) = parse_qs(urlsplit(start).query)["registration_token"]
    assert new_platform.registration_token_is_open(token)
    assert "evil.example" not in tool.koula("platforms", "list").stdout
    new_platform.issuer_override = None  # the same link still works: a failure spends nothing
    assert requests.get(new_platform.registration_start_url(link), timeout=30).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"openid_configuration": "https://lms.example/.well-known/openid-configuration"},
        {"registration_token": "token"},
        {"openid_configuration": "http://lms.example/openid", "registration_token": "token"},
        {"openid_configuration": "not a url", "registration_token": "token"},
    ],
)
def test_a_registration_link_without_usable_parameters_gets_a_clear_page(tool, query):
    answer = requests.get(f"{tool.invite()}?{urlencode(query)}", timeout=30)
    assert answer.status_code == 400
    assert answer.headers["Content-Type"].startswith("text/html")
    assert 'role="alert"' in answer.text
    assert "registration again" in answer.text


def test_the_failure_page_speaks_the_admins_language(tool):
    answer = requests.get(tool.invite(), headers={"Accept-Language": "fr-FR,fr;q=0.9"}, timeout=30)
    assert answer.status_code == 400
    assert answer.headers["Content-Language"] == "fr"
    assert "Relancez l&#39;enregistrement" in answer.text


def test_a_configuration_url_that_does_not_answer_gets_a_clear_page_quickly(tool):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # connections wait in the backlog; nothing ever answers
        query = {
            "openid_configuration": f"http://127.0.0.1:{silent.getsockname()[1]}/openid",
            "registration_token": "token",
        }
        link = tool.invite()
        started = time.monotonic()
        answer = requests.get(f"{link}?{urlencode(query)}", timeout=30)
        elapsed = time.monotonic() - started
    assert answer.status_code == 400
    assert "could not read the platform" in answer.text
    assert elapsed < 10  # the tool's KOULA_HTTP_TIMEOUT is 2 s


@contextmanager
def serving(body: bytes) -> Iterator[str]:
    """A loopback HTTP server answering ``body`` (as JSON) to every GET; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/.well-known/openid-configuration"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "body",
    [b"<html>not json</html>", b"[1, 2]", b"[" * 200_000, b'{"issuer": "' + b"x" * 2_000_000],
    ids=["html", "array", "deeply-nested", "huge"],
)
def test_a_configuration_that_is_not_a_json_object_gets_a_clear_page(tool, body):
    with serving(body) as url:
        query = {"openid_configuration": url, "registration_token": "token"}
        answer = requests.get(f"{tool.invite()}?{urlencode(query)}", timeout=30)
    assert answer.status_code == 400
    assert "could not read the platform" in answer.text


def test_a_spent_registration_token_gets_a_clear_page(tool, new_platform):
    start = new_platform.registration_start_url(tool.invite())
    assert requests.get(start, timeout=30).status_code == 200
    query = urlsplit(start).query  # the platform's spent token, with a fresh invitation
    again = requests.get(f"{tool.invite()}?{query}", timeout=30)
    assert again.status_code == 400
    assert "did not accept" in again.text
    assert len(new_platform.tools) == 1


def test_a_tool_created_pending_launches_only_once_the_admin_activates_it(tool, new_platform):
    new_platform.pending_activation = True
    client_id = registered_client_id(tool, new_platform)
    assert not new_platform.tools[client_id].active
    assert launch(new_platform, client_id).status_code == 403
    new_platform.activate(client_id)
    page = launch(new_platform, client_id)
    assert page.status_code == 200, page.text[:2000]
    assert "koula-context" in page.text
