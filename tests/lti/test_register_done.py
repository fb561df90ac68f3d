"""The page that ends a dynamic registration says what the admin does next on their platform,
and stays open until they close it (issue 12, "Staff pages that fit").

The platform names its product family in its OpenID configuration
(``https://purl.imsglobal.org/spec/lti-platform-configuration``, ``product_family_code``):
Moodle's admin is sent to Manage tools to activate the pending tool, Canvas's to the developer
key and the app, Brightspace's ("desire2learn") to enable and deploy the registration; a
platform Koula does not know gets the general steps. The close message
(``org.imsglobal.lti.close``) goes to the platform only when the admin presses Close, never
when the page loads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from koula_demo.lms import Platform
from koula_demo.lms import app as platform_app
from koula_demo.lms.constants import PLATFORM_CONFIGURATION
from koula_demo.tool_process import RunningTool
from tests.e2e.servers import CHROMIUM_ARGS, chromium_path
from tests.lti.test_iframe_browser import CourseSite

CLOSE = {"subject": "org.imsglobal.lti.close"}
IN_VIEW = """(el) => {
  const box = el.getBoundingClientRect();
  return window.scrollY === 0 && box.top >= 0 && box.bottom <= window.innerHeight;
}"""
NEXT_STEP = {
    ("moodle", "en"): "Site administration > Plugins > Activity modules > External tool > "
    "Manage tools lists Koula as pending: press Activate.",
    ("moodle", "fr"): "Administration du site > Plugins > Modules d'activité > Outil externe > "
    "Gérer les outils affiche Koula en attente : cliquez sur Activer.",
    ("canvas", "en"): "In Admin > Developer Keys, check that the new key's State is ON.",
    ("canvas", "fr"): "Dans Admin > Developer Keys, vérifiez que l'état (State) de la nouvelle "
    "clé est ON.",
    ("desire2learn", "en"): "Admin Tools > Manage Extensibility > LTI Advantage lists the new "
    "registration as disabled",
    ("desire2learn", "fr"): "Admin Tools > Manage Extensibility > LTI Advantage affiche le "
    "nouvel enregistrement désactivé",
    ("koula-test-platform", "en"): "an administrator must activate it in the platform's tool "
    "list before teachers can use it.",
    ("koula-test-platform", "fr"): "un administrateur doit l'activer dans la liste des outils de "
    "la plateforme avant que les enseignants puissent l'utiliser.",
}


@pytest.fixture(scope="module", params=["sqlite"])
def tool(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The tool on SQLite only: the page is the same on either database."""
    running = RunningTool(tmp_path_factory.mktemp("tool-register"), backend=request.param)
    yield running
    running.stop()


@pytest.fixture
def platform_of(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``platform_of(family)``: a fresh platform whose configuration names ``family``."""
    opened: list[Platform] = []
    openid = platform_app.HANDLERS["openid"]

    def open_(family: str) -> Platform:
        def configuration(platform: Platform, request: Any) -> Any:
            response = openid(platform, request)
            body = json.loads(response.get_data())
            body[PLATFORM_CONFIGURATION]["product_family_code"] = family
            response.set_data(json.dumps(body))
            return response

        monkeypatch.setitem(platform_app.HANDLERS, "openid", configuration)
        platform = Platform()
        opened.append(platform)
        return platform

    yield open_
    for platform in opened:
        platform.close()
        assert platform.server_errors == []


def closing(posted: list[Any]) -> list[Any]:
    """The close messages among what the page posted (it may post others, e.g. its height)."""
    return [data for data in posted if data == CLOSE]


def registered(tool: Any, platform: Platform, language: str) -> requests.Response:
    """Open a registration link as the platform does, in ``language``."""
    start = platform.registration_start_url(tool.invite())
    answer = requests.get(start, headers={"Accept-Language": language}, timeout=30)
    assert answer.status_code == 200, answer.text[:2000]
    return answer


@pytest.mark.parametrize("family", ["moodle", "canvas", "desire2learn", "koula-test-platform"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_done_page_names_the_platforms_next_step_in_the_admins_language(
    tool, platform_of, family, language
):
    page = registered(tool, platform_of(family), language).text

    assert NEXT_STEP[(family, language)] in page.replace("&gt;", ">").replace("&#39;", "'")
    others = [text for (name, lang), text in NEXT_STEP.items() if name != family]
    assert not any(text in page for text in others)


def test_the_done_page_tells_the_platform_to_close_it_only_when_the_admin_presses_close(
    tool, platform_of, playwright
):
    platform = platform_of("moodle")
    start = platform.registration_start_url(tool.invite())
    site = CourseSite(platform)  # the platform's page, on another site than the tool
    site._course = lambda: (  # type: ignore[method-assign]
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Manage tools</title>'
        "<script>window.posted = [];"
        "addEventListener('message', (event) => posted.push(event.data));</script>"
        "<style>body{margin:0}iframe{display:block;width:1280px;height:560px;border:0}</style>"
        f'<iframe name="registration" src="{start}"></iframe>'
    )
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{site.url}/course")
        frame = page.frame_locator("iframe")
        close = frame.get_by_role("button", name="Close")
        close.wait_for()
        loaded = page.frame(name="registration")
        loaded.wait_for_load_state("load")
        # Messages from one window arrive in order: any posted on load come before this one.
        loaded.evaluate("() => window.parent.postMessage('loaded', '*')")
        page.wait_for_function("window.posted.includes('loaded')")

        assert closing(page.evaluate("window.posted")) == []
        assert "Manage tools" in frame.locator("main").inner_text()
        assert close.evaluate(IN_VIEW), "Close is out of the 560 px frame's view"
        close.click()
        page.wait_for_function(
            "window.posted.some((data) => data && data.subject === 'org.imsglobal.lti.close')"
        )
        assert closing(page.evaluate("window.posted")) == [CLOSE]
    finally:
        browser.close()
        site.close()


# The issuer must be on the origin of the platform's configuration: the demo platform's, with
# the long host name a university's Moodle has as its path.
LONG_HOST = "moodle.university-of-somewhere.example.edu"
UUID_CLIENT_ID = "5b0c8e2a-9f4d-4c3e-8a1b-7d6e5f4c3b2a"  # as Brightspace gives it
OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth,
  width: window.innerWidth,
  cells: Array.from(document.querySelectorAll("td, th"))
    .filter((cell) => cell.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map((cell) => cell.textContent.trim()),
})"""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_done_page_fits_360_px_with_a_long_issuer_and_a_uuid_client_id(
    tool, platform_of, monkeypatch, playwright, language
):
    platform = platform_of("desire2learn")
    long_issuer = f"{platform.issuer.rstrip('/')}/{LONG_HOST}"
    platform.issuer_override = long_issuer
    register = platform_app.HANDLERS["register"]

    def uuid_client_id(platform: Platform, request: Any) -> Any:
        response = register(platform, request)
        body = json.loads(response.get_data())
        body["client_id"] = UUID_CLIENT_ID
        response.set_data(json.dumps(body))
        return response

    monkeypatch.setitem(platform_app.HANDLERS, "register", uuid_client_id)
    start = platform.registration_start_url(tool.invite())
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(
            viewport={"width": 360, "height": 740},
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        page = context.new_page()
        page.goto(start)
        table = page.locator("table.lti-table")
        table.wait_for()
        assert long_issuer in table.inner_text() and UUID_CLIENT_ID in table.inner_text()

        measured = page.evaluate(OVERFLOW)
        assert measured["page"] <= measured["width"] and measured["cells"] == [], measured
    finally:
        browser.close()
