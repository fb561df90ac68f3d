"""A learner inside a course page's iframe, in a real Chromium that blocks third-party cookies.

The course page is served from another site than the tool: the platform's pages (its
course page, storage frame and OIDC endpoint) on ``http://localhost:<port>``, the tool
on ``http://127.0.0.1:<port>``. Two Chromium profiles: ``chrome`` sets Chrome's "block
third-party cookies" (``profile.cookie_controls_mode = 1``), which still lets the tool's
``Partitioned`` state cookie through (CHIPS); ``safari`` also blocks every cookie of the
tool inside the platform's pages (a content-settings exception), as Safari does. The
first test checks that the profiles really block what they claim.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.wrappers import Request, Response

from koula.library import get_template
from koula.template import Part
from koula_demo.learner_calls import wait_for
from koula_demo.lms import Platform
from koula_demo.lms.app import make_wsgi_app
from koula_demo.lms.server import BackgroundServer
from tests.e2e.learner import answer
from tests.e2e.servers import CHROMIUM_ARGS, ROOT, chromium_path
from tests.lti.conftest import CONFIGURED
from tests.lti.test_platform_storage import reusable_hints

pytestmark = pytest.mark.e2e

CLIENT_ID, DEPLOYMENT_ID = "iframe-client", "iframe-deployment"
TEMPLATE = get_template("default-koula")
# The tool's frame in the course page's renderer: with site isolation, the frame moves to a
# new process on each cross-site hop of the launch (course site, tool, course site, tool)
# and Playwright now and then loses it (about 1 run in 3), waiting on a frame that is gone.
# Cookie blocking, the subject of these tests, does not depend on process isolation.
FRAMED_ARGS = [
    *CHROMIUM_ARGS,
    "--disable-site-isolation-trials",
    "--disable-features=site-per-process",
]
BLOCK_THIRD_PARTY = {"cookie_controls_mode": 1, "block_third_party_cookies": True}
PROFILES: dict[str, dict[str, Any]] = {
    "chrome": BLOCK_THIRD_PARTY,
    "safari": BLOCK_THIRD_PARTY
    | {
        "content_settings": {
            "exceptions": {"cookies": {"http://127.0.0.1:*,http://localhost:*": {"setting": 2}}}
        }
    },
}
STORAGE_SCRIPT = """<script>
/* The platform's side of lti.put_data / lti.get_data: values kept per tool origin; it
   starts answering after READY_AFTER ms (a storage frame still loading drops messages). */
setTimeout(function () {
var log = window.parent.storageLog = window.parent.storageLog || [];
var store = {};
window.addEventListener("message", function (event) {
  var data = event.data;
  if (!data || typeof data !== "object" || !data.message_id) return;
  if (data.subject !== "lti.put_data" && data.subject !== "lti.get_data") return;
  log.push({subject: data.subject, origin: event.origin, id: data.message_id});
  var mine = store[event.origin] = store[event.origin] || {};
  var reply = {subject: data.subject + ".response", message_id: data.message_id, key: data.key};
  if (data.subject === "lti.put_data") { mine[data.key] = data.value; reply.value = data.value; }
  else if (data.key in mine) { reply.value = mine[data.key]; }
  else { reply.error = {code: "bad_request", message: "no value for this key"}; }
  event.source.postMessage(reply, event.origin);
});
}, READY_AFTER);
</script>"""


class CourseSite:
    """The platform's site on ``http://localhost:<port>``: a course page framing the tool,
    a storage frame, cookie probes, and the harness platform's own endpoints (``/auth``)."""

    def __init__(self, platform: Platform) -> None:
        self.platform_app = make_wsgi_app(platform)
        self.iframe_src = ""
        self.storage = "none"  # "_parent", "lti_storage_frame" or "none" (no answer)
        self.storage_ready_after_ms = 0
        self.storage_added_after_ms = 0  # the storage frame is in the page, or added later
        self._server = BackgroundServer(self._app, name="course-site")
        self.url = f"http://localhost:{self._server.port}"
        self.other_site = f"http://127.0.0.1:{self._server.port}"  # same server, another site

    def close(self) -> None:
        self._server.close()

    def _app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        pages = {"/course": self._course, "/storage-frame": self._storage_frame}
        if request.path in pages:
            body = pages[request.path]()
        elif request.path.startswith("/probe/"):
            return _probe(request)(environ, start_response)
        else:
            return self.platform_app(environ, start_response)
        return Response(body, content_type="text/html")(environ, start_response)

    def _course(self) -> str:
        frames = f'<iframe name="koula" id="koula" src="{self.iframe_src}"></iframe>'
        if self.storage == "lti_storage_frame" and self.storage_added_after_ms:
            frames += (
                "<script>setTimeout(function () { var frame = document.createElement('iframe');"
                f" frame.name = 'lti_storage_frame'; frame.src = '{self.url}/storage-frame';"
                " frame.hidden = true; document.body.appendChild(frame); },"
                f" {self.storage_added_after_ms});</script>"
            )
        elif self.storage == "lti_storage_frame":
            frames += f'<iframe name="lti_storage_frame" src="{self.url}/storage-frame" hidden>'
            frames += "</iframe>"
        script = self._storage_script() if self.storage == "_parent" else ""
        return (
            '<!doctype html><html lang="en"><meta charset="utf-8"><title>Course 1</title>'
            "<style>iframe#koula{width:100%;height:1500px;border:2px solid #667085}</style>"
            f"<h1>Course 1: practice week</h1>{script}{frames}"
        )

    def _storage_frame(self) -> str:
        return f"<!doctype html><title>storage</title>{self._storage_script()}"

    def _storage_script(self) -> str:
        return STORAGE_SCRIPT.replace("READY_AFTER", str(self.storage_ready_after_ms))


def _probe(request: Request) -> Response:
    """``/probe/set?name=N`` sets N_none and N_partitioned; ``/probe/echo`` shows the Cookie
    header; ``/probe/frame?src=U`` frames U."""
    if request.path == "/probe/frame":
        return Response(
            f'<iframe id="probe" src="{request.args["src"]}"></iframe>', mimetype="text/html"
        )
    if request.path == "/probe/echo":
        return Response(request.headers.get("Cookie", ""), mimetype="text/plain")
    response = Response("set", mimetype="text/plain")
    name = request.args["name"]
    response.headers.add("Set-Cookie", f"{name}_none=1; Path=/; SameSite=None; Secure")
    partitioned = f"{name}_partitioned=1; Path=/; SameSite=None; Secure; Partitioned"
    response.headers.add("Set-Cookie", partitioned)
    return response


@pytest.fixture
def open_browser(playwright: Any, tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """Open a headless Chromium with the named profile; every one is closed at the end."""
    path = chromium_path()
    with ExitStack() as stack:

        def open_one(profile: str) -> Any:
            folder = tmp_path / f"profile-{profile}"
            (folder / "Default").mkdir(parents=True)
            preferences = json.dumps({"profile": PROFILES[profile]})
            (folder / "Default" / "Preferences").write_text(preferences)
            context = playwright.chromium.launch_persistent_context(
                str(folder),
                executable_path=path,
                args=FRAMED_ARGS,
                headless=True,
                viewport={"width": 1100, "height": 1600},
            )
            context.set_default_timeout(20_000)
            stack.callback(context.close)
            return context

        yield open_one


@contextmanager
def course_of(tool: Any) -> Iterator[tuple[Platform, CourseSite]]:
    """A fresh platform whose OIDC endpoint is on the course site, registered with the tool."""
    with Platform() as platform:
        site = CourseSite(platform)
        try:
            done = tool.koula(
                "platforms", "add", "--issuer", platform.issuer,
                "--client-id", CLIENT_ID, "--deployment-id", DEPLOYMENT_ID,
                "--auth-login-url", f"{site.url}/auth", "--auth-token-url", platform.token_url,
                "--keyset-url", platform.jwks_url,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
            platform.add_tool(
                CLIENT_ID,
                DEPLOYMENT_ID,
                login_url=f"{tool.url}/lti/login",
                launch_url=f"{tool.url}/lti/launch",
                jwks_url=f"{tool.url}/lti/jwks.json",
            )
            yield platform, site
            assert platform.server_errors == []
        finally:
            site.close()


class LoginCapture:
    """Stands in for the browser in ``Platform.launch``: keeps the login initiation URL
    (the platform's page then frames it) instead of opening it."""

    url = ""

    def get(self, url: str, **kwargs: Any) -> Any:
        self.url = url
        return SimpleNamespace(is_redirect=False, ok=False, url=url)


def start_in_iframe(platform: Platform, site: CourseSite, *, target: str | None, user: str):
    capture = LoginCapture()
    platform.launch(
        capture,  # type: ignore[arg-type]
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        user=user,
        lti_storage_target=target,
    )
    site.iframe_src = capture.url


@pytest.mark.parametrize("profile", list(PROFILES))
def test_this_chromium_really_blocks_third_party_cookies(open_browser, profile):
    context = open_browser(profile)
    page = context.new_page()
    with Platform() as platform:
        site = CourseSite(platform)
        try:
            page.goto(f"{site.other_site}/probe/set?name=first")
            first_party = page.goto(f"{site.other_site}/probe/echo").text()
            assert "first_none=1" in first_party and "first_partitioned=1" in first_party
            setter = quote(f"{site.other_site}/probe/set?name=third", safe="")
            page.goto(f"{site.url}/probe/frame?src={setter}")
            page.frame_locator("#probe").locator("text=set").wait_for()
            echo = quote(f"{site.other_site}/probe/echo", safe="")
            page.goto(f"{site.url}/probe/frame?src={echo}")
            framed = page.frame_locator("#probe").locator("body").inner_text()
        finally:
            site.close()
    assert "first_none" not in framed and "third_none" not in framed
    assert "third_none" not in {cookie["name"] for cookie in context.cookies()}
    if profile == "chrome":
        assert framed.strip() == "third_partitioned=1"  # CHIPS: kept for this top-level site
    else:
        assert framed.strip() == ""


def bearer_only(response: Any) -> None:
    """The learner API call went with the bearer token and no cookie."""
    assert response.status == 200, response.text()
    headers = response.request.all_headers()
    assert headers["authorization"].startswith("Bearer ")
    assert "cookie" not in headers


@pytest.mark.parametrize(
    ("target", "ready_after_ms", "added_after_ms"),
    [
        ("_parent", 0, 0),
        ("lti_storage_frame", 0, 0),
        ("lti_storage_frame", 700, 0),
        ("lti_storage_frame", 0, 700),
    ],
    ids=["parent", "storage frame", "storage frame ready late", "storage frame added late"],
)
def test_a_learner_in_an_iframe_launches_through_platform_storage_and_submits_the_card(
    tool, open_browser, target, ready_after_ms, added_after_ms
):
    context = open_browser("safari")
    page = context.new_page()
    with course_of(tool) as (platform, site):
        user = f"iframe-{target}-{ready_after_ms}-{added_after_ms}"
        site.storage = target
        site.storage_ready_after_ms = ready_after_ms
        site.storage_added_after_ms = added_after_ms
        start_in_iframe(platform, site, target=target, user=user)
        page.goto(f"{site.url}/course")
        koula = page.frame_locator("#koula")
        koula.locator(".koula[data-koula-ready]").wait_for()
        log = page.evaluate("window.storageLog")
        asked = [
            (subject, {entry["id"] for entry in entries})
            for subject, entries in groupby(log, itemgetter("subject"))
        ]
        # One question each, however many times it was sent before the frame answered.
        assert [(subject, len(ids)) for subject, ids in asked] == [
            ("lti.put_data", 1),
            ("lti.get_data", 1),
        ]
        assert {entry["origin"] for entry in log} == {tool.url}
        assert "koula_lti_state" not in {cookie["name"] for cookie in context.cookies()}

        required = [f for f in TEMPLATE.fields_of(Part.DELIVERABLE) if f.required]
        with page.expect_response(re.compile(r"/save_draft$")) as draft:
            answer(koula, "deliverable", required[0])
        bearer_only(draft.value)
        for field in required[1:]:
            answer(koula, "deliverable", field)
        form = koula.locator('form[data-part="deliverable"]')
        with page.expect_response(re.compile(r"/submit_deliverable$")) as submitted:
            form.locator("button[type=submit]").click()
        bearer_only(submitted.value)
        assert submitted.value.json()["deliverable"]["status"] == "submitted"
        wait_for(lambda: [s for s in platform.scores() if s["body"]["userId"] == user])
        if target == "_parent":
            artifacts = ROOT / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            koula.locator("body").evaluate("() => window.scrollTo(0, 0)")
            page.wait_for_timeout(300)  # let the framed page repaint before the shot
            page.screenshot(path=str(artifacts / "lti-iframe.png"))


def test_in_chrome_the_partitioned_state_cookie_opens_the_activity_in_the_iframe(
    tool, open_browser
):
    page = open_browser("chrome").new_page()
    with course_of(tool) as (platform, site):
        start_in_iframe(platform, site, target=None, user="iframe-chrome")
        page.goto(f"{site.url}/course")
        page.frame_locator("#koula").locator(".koula[data-koula-ready]").wait_for()


@pytest.mark.parametrize("storage", ["not offered", "not answered"])
def test_a_browser_that_keeps_nothing_in_the_iframe_opens_koula_in_a_new_window(
    tool, open_browser, storage
):
    context = open_browser("safari")
    page = context.new_page()
    with course_of(tool) as (platform, site):
        reusable_hints(platform)
        target = "_parent" if storage == "not answered" else None
        start_in_iframe(platform, site, target=target, user="iframe-new-window")
        page.goto(f"{site.url}/course")
        link = page.frame_locator("#koula").locator("#koula-open-new-window")
        link.wait_for()
        assert link.get_attribute("target") == "_blank"
        with context.expect_page() as opened:
            link.click()
        window = opened.value
        window.locator(".koula[data-koula-ready]").wait_for()
        assert window.url.startswith(f"{tool.url}/lti/launch")
