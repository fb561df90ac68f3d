"""The security headers of the tool's responses, read over real HTTP (lti/headers.py).

Every response says ``nosniff`` and keeps its path from other origins; an HTML page may be
framed by the tool itself and the registered platforms only, including a platform
registered while the tool runs (another process, no shared cache); the registration pages
by any platform; the Django admin by none.
"""

from __future__ import annotations

import requests

from koula_demo.learner_calls import act, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.lms.browser import follow_redirects, submit_auto_form
from tests.lti.conftest import CLIENT_ID, CONFIGURED

REFERRER_POLICY = "strict-origin-when-cross-origin"


def policy(response: requests.Response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as ``{directive: [sources]}``."""
    directives = [part.split() for part in response.headers["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def origin(url: str) -> str:
    return "/".join(url.split("/")[:3])


def test_every_response_says_nosniff_and_keeps_its_path_from_other_origins(platform, tool):
    page = platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED)
    context = context_of(page)
    responses = {
        "activity page": page,
        "learner API": act(context, "save_draft", {"part": "deliverable", "values": {}}),
        "refused API call": act(context, "save_draft", {}, token="forged"),
        "health": requests.get(f"{tool.url}/healthz", timeout=10),
        "keys": requests.get(f"{tool.url}/lti/jwks.json", timeout=10),
        "script": requests.get(f"{tool.url}/lti/static/koula.js", timeout=10),
        "refused launch": requests.post(f"{tool.url}/lti/launch", timeout=10),
    }
    for name, response in responses.items():
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] == REFERRER_POLICY, name


def test_a_page_may_be_framed_by_its_platform_and_not_by_an_unregistered_site(platform, tool):
    page = platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED)
    refused = requests.post(f"{tool.url}/lti/launch", timeout=10)
    with Platform() as stranger:  # a platform that never registered
        for response in (page, refused):
            found = policy(response)
            assert "'self'" in found["frame-ancestors"]
            assert origin(platform.issuer) in found["frame-ancestors"]
            assert origin(stranger.issuer) not in found["frame-ancestors"]
            assert "*" not in found["frame-ancestors"]
            assert found["object-src"] == ["'none'"] and found["base-uri"] == ["'none'"]
    script = requests.get(f"{tool.url}/lti/static/koula.js", timeout=10)
    assert "Content-Security-Policy" not in script.headers  # HTML pages only


def test_a_platform_registered_while_the_tool_runs_frames_its_first_launch(platform, tool):
    platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED)  # origins cached
    with Platform() as newcomer:
        # Its login page is on another origin than its issuer, as a course site's may be.
        login_site = newcomer.issuer.replace("127.0.0.1", "localhost")
        done = tool.koula(
            "platforms", "add", "--issuer", newcomer.issuer,
            "--client-id", "newcomer", "--deployment-id", "newcomer-1",
            "--auth-login-url", f"{login_site}/auth", "--auth-token-url", newcomer.token_url,
            "--keyset-url", newcomer.jwks_url,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        newcomer.add_tool(
            "newcomer",
            "newcomer-1",
            login_url=f"{tool.url}/lti/login",
            launch_url=f"{tool.url}/lti/launch",
            jwks_url=f"{tool.url}/lti/jwks.json",
        )
        session = browser_session()
        start = newcomer.login_initiation_url(client_id="newcomer", custom=CONFIGURED)
        form = follow_redirects(session, session.get(start, allow_redirects=False, timeout=10))
        page = submit_auto_form(session, form)
        assert page.status_code == 200 and 'id="koula-context"' in page.text
        assert origin(login_site) in policy(page)["frame-ancestors"]
        assert origin(newcomer.issuer) in policy(page)["frame-ancestors"]


def test_the_registration_pages_may_be_framed_by_the_platform_being_registered(tool):
    page = requests.get(f"{tool.url}/lti/register/not-an-invitation", timeout=10)
    assert page.status_code == 403
    assert policy(page)["frame-ancestors"] == ["*"]


def test_the_admin_pages_are_never_framed(tool):
    page = requests.get(f"{tool.url}/admin/login/", timeout=10)
    assert page.status_code == 200
    assert policy(page)["frame-ancestors"] == ["'none'"]
