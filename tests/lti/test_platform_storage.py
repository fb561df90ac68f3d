"""Binding a launch to the browser without a cookie: platform storage, then a new window.

A login with ``lti_storage_target`` answers a page that keeps a value in the platform
(``lti.put_data``); the launch answers a page that reads it back (``lti.get_data``) and
posts it with the id_token. These tests play the pages' part with ``requests`` (the
scripts themselves run in Chromium in ``test_iframe_browser.py``).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.cookies import RequestsCookieJar

from koula_demo.learner_calls import act, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.lms.browser import follow_redirects, submit_auto_form
from tests.lti.conftest import CLIENT_ID, CONFIGURED

STORAGE = re.compile(r'<script type="application/json" id="koula-storage">(.*?)</script>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')
NEW_WINDOW = re.compile(r'<a class="lti-button" id="koula-open-new-window" href="([^"]*)"')


class CookielessJar(RequestsCookieJar):
    """A browser that keeps no cookie from the tool (Safari inside a course page)."""

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> None:
        return None


def cookieless_session() -> requests.Session:
    session = requests.Session()
    session.cookies = CookielessJar()
    return session


def reusable_hints(platform: Platform) -> None:
    """Let ``platform`` answer a login hint again, as Moodle and Canvas do when a tool
    re-runs the login in a new window (the harness spends each hint at its first use)."""
    take, spent = platform.take_launch, {}

    def take_again(hint: str) -> Any:
        spec = take(hint) or spent.get(hint)
        if spec is not None:
            spent[hint] = spec
        return spec

    platform.take_launch = take_again  # type: ignore[method-assign]


def storage_of(response: requests.Response) -> dict[str, str]:
    match = STORAGE.search(response.text)
    assert match, response.text[:2000]
    return json.loads(match.group(1))


def hidden_fields(response: requests.Response) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in HIDDEN.findall(response.text)}


def storage_login(platform: Platform, session: requests.Session) -> requests.Response:
    page = platform.launch(
        session, client_id=CLIENT_ID, custom=CONFIGURED, lti_storage_target="_parent"
    )
    assert page.status_code == 200, page.text[:2000]
    return page


def until_storage_launch(
    platform: Platform, session: requests.Session
) -> tuple[dict[str, str], requests.Response]:
    """Run the login page's part (put_data answered) up to the launch's get_data page."""
    stored = storage_of(storage_login(platform, session))
    authorize = session.get(stored["next"], timeout=10)
    return stored, submit_auto_form(session, authorize)


def test_a_login_with_platform_storage_answers_a_page_that_stores_a_value(platform, tool):
    session = browser_session()
    page = storage_login(platform, session)
    stored = storage_of(page)
    state = parse_qs(urlsplit(stored["next"]).query)["state"][0]
    assert "lti.put_data" in page.text and "koula-context" not in page.text
    assert "koula_lti_state" not in page.headers.get("Set-Cookie", "")
    assert page.headers["Cache-Control"] == "no-store"
    assert stored["target"] == "_parent"
    assert stored["origin"] == platform.url
    assert stored["key"] == f"koula_state_{state}"
    assert len(stored["value"]) >= 32 and stored["value"] != state
    assert stored["next"].startswith(f"{platform.auth_url}?")
    assert stored["fallback"].startswith(f"{tool.url}/lti/login?")
    assert "lti_storage_target" not in stored["fallback"]


def test_a_storage_launch_reads_the_value_back_then_opens_the_activity(platform, tool):
    session = browser_session()
    stored, waiting = until_storage_launch(platform, session)
    assert waiting.status_code == 200, waiting.text[:2000]
    assert "lti.get_data" in waiting.text and "koula-context" not in waiting.text
    assert storage_of(waiting)["key"] == stored["key"]
    assert storage_of(waiting)["origin"] == platform.url
    fields = hidden_fields(waiting)
    assert set(fields) == {"id_token", "state", "koula_storage_value"}
    fields["koula_storage_value"] = stored["value"]
    opened = session.post(f"{tool.url}/lti/launch", data=fields, timeout=10)
    context = context_of(opened)
    draft = act(context, "save_draft", {"part": "deliverable", "values": {"problem": "Late"}})
    assert draft.status_code == 200


def refused(response: requests.Response) -> None:
    assert response.status_code == 400, response.text[:500]
    assert "could not be verified" in response.text
    assert "koula-context" not in response.text


def test_a_wrong_storage_value_is_refused_and_spends_the_login(platform, tool):
    session = browser_session()
    stored, waiting = until_storage_launch(platform, session)
    fields = hidden_fields(waiting) | {"koula_storage_value": "guessed"}
    refused(session.post(f"{tool.url}/lti/launch", data=fields, timeout=10))
    fields["koula_storage_value"] = stored["value"]
    refused(session.post(f"{tool.url}/lti/launch", data=fields, timeout=10))


def test_a_storage_value_posted_from_another_site_is_refused(platform, tool):
    session = browser_session()
    stored, waiting = until_storage_launch(platform, session)
    fields = hidden_fields(waiting) | {"koula_storage_value": stored["value"]}
    forged = session.post(
        f"{tool.url}/lti/launch",
        data=fields,
        headers={"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"},
        timeout=10,
    )
    refused(forged)


def test_a_stale_state_cookie_does_not_block_a_storage_launch(platform, tool):
    session = browser_session()
    abandoned = session.get(
        f"{tool.url}/lti/login",
        params={"iss": platform.issuer, "login_hint": "x", "client_id": CLIENT_ID},
        allow_redirects=False,
        timeout=10,
    )
    assert "koula_lti_state" in session.cookies.get_dict(domain="127.0.0.1"), abandoned.headers
    stored, waiting = until_storage_launch(platform, session)
    fields = hidden_fields(waiting) | {"koula_storage_value": stored["value"]}
    assert context_of(session.post(f"{tool.url}/lti/launch", data=fields, timeout=10))


def test_without_the_platforms_storage_the_login_falls_back_to_the_cookie(platform):
    session = browser_session()
    stored = storage_of(storage_login(platform, session))
    redirect = session.get(stored["fallback"], allow_redirects=False, timeout=10)
    assert redirect.status_code == 302
    assert redirect.headers["Location"].startswith(f"{platform.auth_url}?")
    assert "koula_lti_state" in session.cookies.get_dict(domain="127.0.0.1")
    opened = submit_auto_form(session, follow_redirects(session, redirect))
    assert context_of(opened)["token"]


def test_a_browser_without_cookie_or_storage_is_offered_a_new_window(platform, tool):
    reusable_hints(platform)
    page = platform.launch(
        cookieless_session(), client_id=CLIENT_ID, custom=CONFIGURED, locale="fr-CA"
    )
    assert page.status_code == 200, page.text[:2000]
    assert "koula-context" not in page.text
    assert '<html lang="fr">' in page.text
    assert 'target="_blank"' in page.text
    link = html.unescape(NEW_WINDOW.search(page.text).group(1))
    assert link.startswith(f"{tool.url}/lti/login?")
    assert f"iss={requests.utils.quote(platform.issuer, safe='')}" in link
    assert "lti_message_hint=" in link and "login_hint=" in link

    # The page spent nothing: the same launch still opens once the browser is tied to it.
    bound = browser_session()
    bound.cookies.set("koula_lti_state", platform.last_state, domain="127.0.0.1", path="/lti/")
    replay = platform.post_launch(
        bound, f"{tool.url}/lti/launch", platform.last_id_token, platform.last_state
    )
    assert context_of(replay)["token"]


def test_the_new_window_runs_the_login_first_party_and_opens_the_activity(platform, tool):
    reusable_hints(platform)
    page = platform.launch(cookieless_session(), client_id=CLIENT_ID, custom=CONFIGURED)
    link = html.unescape(NEW_WINDOW.search(page.text).group(1))
    window = browser_session()  # a top-level window: its cookie is first-party
    opened = submit_auto_form(
        window, follow_redirects(window, window.get(link, allow_redirects=False, timeout=10))
    )
    assert context_of(opened)["token"]
