"""Report and export links open only for the staff member who opened them, for minutes.

Real HTTP against ``koula serve`` and the test platform: the staff page's script sends
its bearer token; a download posts a single-use ticket; a new window spends a ticket
for a first-party cookie. A link copied into a fresh browser, or used with another
person's token, gets a 403 page that says to open the report again from the course.
"""

from __future__ import annotations

import csv
import html
import io
import re
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from koula_demo.learner_calls import CARD, act, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.lms.browser import submit_auto_form
from koula_demo.lms.constants import ROLE_INSTRUCTOR
from koula_demo.tool_process import RunningTool
from tests.e2e.servers import ROOT
from tests.lti.conftest import CLIENT_ID, CONFIGURED, DEPLOYMENT_ID
from tests.lti.report_links import (
    csv_link,
    detail_link,
    download,
    report_access,
    staff_get,
    staff_post,
    ticket,
)
from tests.lti.test_iframe_browser import CLIENT_ID as FRAME_CLIENT
from tests.lti.test_iframe_browser import LoginCapture, course_of, open_browser  # noqa: F401

LINK = "rl-links"
ARTIFACTS = ROOT / "test-artifacts"
REFUSED = {
    "en": "Open the activity again from your course to see the report.",
    "fr": "Rouvrez l'activité depuis votre cours pour voir le rapport.",
}


def launch(platform, user, *, roles=(ROLE_INSTRUCTOR,), link=LINK, locale="en"):
    return platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        roles=list(roles),
        user=user,
        resource_link_id=link,
        locale=locale,
    )


def with_a_card(platform, user="links-learner", link=LINK):
    context = context_of(launch(platform, user, roles=(), link=link))
    assert act(context, "submit_deliverable", {"values": CARD}).status_code == 200
    return context


def refused(response: requests.Response, language: str = "en") -> bool:
    return response.status_code == 403 and REFUSED[language] in html.unescape(response.text)


def every_link(access, page) -> list[tuple[str, str]]:
    """Every kind of report URL the staff member holds: (method, URL)."""
    queued = staff_post(access, access["exports"], headers={"Accept": "application/json"})
    status = queued.json()["status"]
    return [
        ("GET", access["csv"]),
        ("POST", access["csv"]),
        ("GET", detail_link(page, "links-learner")),
        ("GET", detail_link(page, "links-learner") + "?fragment=1"),
        ("GET", access["csv"].removesuffix("/koula.csv")),
        ("POST", access["exports"]),
        ("GET", status),
        ("GET", status + "?format=json"),
        ("GET", status + "/koula.csv"),
        ("POST", access["tickets"]),
        ("POST", access["window"]),
    ]


def test_the_staff_members_own_page_opens_the_csv_the_answers_and_a_download(platform):
    with_a_card(platform)
    page = launch(platform, "links-teacher")
    access = report_access(page)
    csv = staff_get(access, access["csv"])
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert "links-learner" in csv.text
    assert csv.headers["Cache-Control"] == "no-store"
    answers = staff_get(access, detail_link(page, "links-learner") + "?fragment=1")
    assert answers.status_code == 200
    assert answers.text.lstrip().startswith("<section") and 'data-section="detail"' in answers.text
    assert CARD["practice_name"] in answers.text
    downloaded = download(access, access["csv"])
    assert downloaded.status_code == 200 and downloaded.content == csv.content


def test_a_copied_link_opens_nothing_in_a_fresh_browser_in_either_language(platform):
    with_a_card(platform)
    page = launch(platform, "links-teacher")
    shown = [csv_link(page), detail_link(page, "links-learner")]
    for url in shown:  # the links the report shows, as copied from the page
        assert refused(requests.get(url, timeout=10)), url
    access = report_access(page)
    for method, url in every_link(access, page):
        for language in ("en", "fr"):
            fresh = requests.request(method, url, headers={"Accept-Language": language}, timeout=10)
            assert refused(fresh, language), (method, url, fresh.status_code)


def test_another_staff_members_token_cannot_open_the_link(platform):
    with_a_card(platform)
    page = launch(platform, "links-teacher")
    mine = report_access(page)
    colleague = report_access(launch(platform, "links-colleague"))
    elsewhere = report_access(launch(platform, "links-teacher", link="rl-links-elsewhere"))
    for method, url in every_link(mine, page):
        for other in (colleague, elsewhere):
            assert refused(requests.request(method, url, headers=_bearer(other), timeout=10))
    assert staff_get(colleague, colleague["csv"]).status_code == 200


def test_a_learners_token_cannot_open_the_link_nor_a_staff_token_act_as_a_learner(platform):
    learner = with_a_card(platform)
    page = launch(platform, "links-teacher")
    access = report_access(page)
    for method, url in every_link(access, page):
        as_learner = {"Authorization": f"Bearer {learner['token']}"}
        assert refused(requests.request(method, url, headers=as_learner, timeout=10))
    as_staff = act(learner, "submit_deliverable", {"values": CARD}, token=access["token"])
    assert as_staff.status_code == 401


def test_a_download_ticket_works_once_and_only_for_its_own_link(platform):
    with_a_card(platform)
    access = report_access(launch(platform, "links-teacher"))
    colleague = report_access(launch(platform, "links-colleague"))
    once = ticket(access)
    assert requests.post(access["csv"], data={"ticket": once}, timeout=10).status_code == 200
    assert refused(requests.post(access["csv"], data={"ticket": once}, timeout=10))
    assert refused(requests.post(colleague["csv"], data={"ticket": ticket(access)}, timeout=10))
    assert refused(requests.get(access["csv"], params={"ticket": ticket(access)}, timeout=10))


def test_a_new_window_spends_a_ticket_for_a_short_cookie_bound_to_the_staff_member(platform):
    with_a_card(platform)
    page = launch(platform, "links-teacher")
    access = report_access(page)
    once = ticket(access)
    opened = requests.post(
        access["window"], data={"ticket": once}, timeout=10, allow_redirects=False
    )
    assert opened.status_code == 303
    window = opened.headers["Location"]
    cookie = window_cookie(opened)
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == urlsplit(window).path
    assert 0 < int(cookie["max-age"]) <= 15 * 60
    jar = {"Cookie": f"koula_report={cookie.value}"}
    report = requests.get(window, headers=jar, timeout=10)
    assert report.status_code == 200 and 'class="koula-staff koula-report"' in report.text
    answers = requests.get(detail_link(report, "links-learner"), headers=jar, timeout=10)
    assert answers.status_code == 200 and CARD["practice_name"] in answers.text
    assert requests.get(f"{window}/koula.csv", headers=jar, timeout=10).status_code == 200
    asked = requests.post(f"{window}/exports", headers=jar, timeout=10, allow_redirects=False)
    assert asked.status_code == 303
    assert requests.get(asked.headers["Location"], headers=jar, timeout=10).status_code == 200
    assert refused(requests.get(window, timeout=10))
    colleague = report_access(launch(platform, "links-colleague"))
    assert refused(requests.get(colleague["csv"], headers=jar, timeout=10))
    again = requests.post(access["window"], data={"ticket": once}, timeout=10)
    assert refused(again)


def _bearer(access) -> dict[str, str]:
    return {"Authorization": f"Bearer {access['token']}"}


def window_cookie(opened: requests.Response):
    return SimpleCookie(opened.headers["Set-Cookie"])["koula_report"]


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory):
    """A tool whose report links live 3 seconds."""
    running = RunningTool(
        tmp_path_factory.mktemp("short-links"), worker=False, KOULA_REPORT_LINK_SECONDS="3"
    )
    yield running
    running.stop()


def test_report_links_tokens_and_window_cookies_expire(short_lived):
    with Platform() as platform:
        short_lived.register(platform, CLIENT_ID, DEPLOYMENT_ID)
        with_a_card(platform)
        access = report_access(launch(platform, "links-teacher"))
        opened = requests.post(
            access["window"], data={"ticket": ticket(access)}, timeout=10, allow_redirects=False
        )
        window = opened.headers["Location"]
        jar = {"Cookie": f"koula_report={window_cookie(opened).value}"}
        assert staff_get(access, access["csv"]).status_code == 200
        assert requests.get(f"{window}/koula.csv", headers=jar, timeout=10).status_code == 200
        unspent = ticket(access)
        time.sleep(4.5)  # past the 3 s lifetime
        assert refused(staff_get(access, access["csv"]))
        assert refused(requests.get(f"{window}/koula.csv", headers=jar, timeout=10))
        assert refused(requests.post(access["csv"], data={"ticket": unspent}, timeout=10))


# In a real browser: the staff view in the course page's iframe, where the tool keeps no cookie.


def framed_staff(platform, site, user: str) -> None:
    """Frame a staff launch in the course page, bound through the platform's storage."""
    capture = LoginCapture()
    platform.launch(
        capture,  # type: ignore[arg-type]
        client_id=FRAME_CLIENT,
        custom=CONFIGURED,
        roles=[ROLE_INSTRUCTOR],
        user=user,
        lti_storage_target="_parent",
    )
    site.storage = "_parent"
    site.iframe_src = capture.url


def bearer_only(response) -> None:
    """The report request went with the page's bearer token and no cookie."""
    assert response.status == 200, response.text()
    headers = response.request.all_headers()
    assert headers["authorization"].startswith("Bearer ")
    assert "cookie" not in headers


def csv_rows(path) -> dict[str, dict[str, str]]:
    text = Path(path).read_text(encoding="utf-8-sig")
    return {row["learner_id"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.e2e
def test_staff_in_an_iframe_without_cookies_read_answers_download_and_open_a_window(
    tool,
    open_browser,  # noqa: F811 - the fixture of test_iframe_browser, imported above
):
    context = open_browser("safari")
    page = context.new_page()
    with course_of(tool) as (platform, site):
        session = browser_session()
        form = platform.launch(session, client_id=FRAME_CLIENT, custom=CONFIGURED, user="framed-1")
        learner = context_of(submit_auto_form(session, form))  # the course site's /auth form
        assert act(learner, "submit_deliverable", {"values": CARD}).status_code == 200
        framed_staff(platform, site, "framed-teacher")
        page.goto(f"{site.url}/course")
        koula = page.frame_locator("#koula")
        koula.locator("[data-koula-report-access][data-bound]").wait_for(state="attached")
        koula.get_by_role("tab", name="Report").click()  # the staff view opens on the run-sheet

        with page.expect_response(re.compile(r"/learners/framed-1\?fragment=1$")) as answers:
            koula.locator('tr[data-learner="framed-1"] th a').press("Enter")  # by keyboard
        bearer_only(answers.value)
        detail = koula.locator("[data-section=detail]")
        assert CARD["practice_name"] in detail.inner_text()
        heading = detail.locator("h3")
        assert heading.evaluate("(el) => el === document.activeElement")
        assert koula.locator('tr[data-learner="framed-1"]').get_attribute("aria-current") == "true"
        ARTIFACTS.mkdir(exist_ok=True)
        detail.screenshot(path=str(ARTIFACTS / "lti-report-drill-down.png"))

        with page.expect_download() as streamed:
            koula.locator("button[data-report-action=csv]").click()
        assert csv_rows(streamed.value.path())["framed-1"]["deliverable_status"] == "submitted"

        koula.locator("button[data-report-action=export]").click()
        status = koula.locator('[role=status][data-role="report-status"]')
        ready = koula.locator("button[data-report-action=download]")
        ready.wait_for(state="visible", timeout=60_000)
        # framed-1, and the roster's three learners who have not started
        assert status.inner_text() == "The file is ready: 4 learners."
        with page.expect_download() as prepared:
            ready.click()
        assert csv_rows(prepared.value.path()) == csv_rows(streamed.value.path())

        with context.expect_page() as opened:
            koula.locator("button[data-report-action=window]").click()
        window = opened.value
        window.locator(".koula-report").wait_for()
        assert window.url.startswith(f"{tool.url}/lti/report/")
        window.locator('tr[data-learner="framed-1"] th a').click()
        window.locator("[data-section=detail]").wait_for()
        assert CARD["practice_name"] in window.locator("[data-section=detail]").inner_text()
        copied = [window.url, koula.locator("a[data-role=csv]").get_attribute("href")]

    fresh = open_browser("chrome").new_page()
    for url in copied:
        answer = fresh.goto(url)
        assert answer.status == 403
        assert REFUSED["en"] in fresh.locator("[role=alert]").inner_text()
