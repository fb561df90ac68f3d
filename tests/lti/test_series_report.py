"""Staff see the course's series and open its report and CSV through their own report links.

Real HTTP against ``koula serve`` and the test platform: two activities in one context; a
learner commits in the first; the staff view of the second shows both sessions, and its
report access opens the series report (a window spends a ticket for a cookie) and the
series CSV, for that staff member only and for minutes; ``koula report export --series``
writes the same CSV.
"""

from __future__ import annotations

import csv
import html
import io
import re
import time
from pathlib import Path

import pytest
import requests

from koula import SERIES_CSV_COLUMNS
from koula_demo.learner_calls import CARD, COMMITMENT, act, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.lms.browser import submit_auto_form
from koula_demo.lms.constants import ROLE_INSTRUCTOR
from tests.lti.conftest import CLIENT_ID, CONFIGURED, DEPLOYMENT_ID
from tests.lti.report_links import download, report_access, staff_get, ticket
from tests.lti.test_iframe_browser import CLIENT_ID as FRAME_CLIENT
from tests.lti.test_iframe_browser import LoginCapture, course_of, open_browser  # noqa: F401
from tests.lti.test_report_links import short_lived  # noqa: F401 - a tool whose links live 3 s

COURSE = "series-course"
REFUSED = "Open the activity again from your course to see the report."


def launch(platform, user, link, *, staff=True, course=COURSE):
    return platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        roles=[ROLE_INSTRUCTOR] if staff else [],
        user=user,
        resource_link_id=link,
        context_id=course,
    )


def two_sessions(platform) -> requests.Response:
    """A learner commits in the first session; staff open the second's staff view."""
    launch(platform, "series-teacher", "series-1")
    learner = context_of(launch(platform, "series-ana", "series-1", staff=False))
    assert act(learner, "submit_deliverable", {"values": CARD}).status_code == 200
    assert act(learner, "commit_experiment", {"values": COMMITMENT}).status_code == 200
    return launch(platform, "series-teacher", "series-2")


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def refused(response: requests.Response) -> bool:
    return response.status_code == 403 and REFUSED in html.unescape(response.text)


def test_staff_see_the_series_and_open_its_report_and_csv_through_their_links(
    platform, tool, tmp_path
):
    page = two_sessions(platform)
    text = html.unescape(page.text)
    assert "This course's series" in text
    assert text.count('<tr data-session="') == 2
    access = report_access(page)
    opened = requests.post(
        access["series_window"], data={"ticket": ticket(access)}, timeout=10, allow_redirects=False
    )
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/series")
    cookie = opened.headers["Set-Cookie"].split(";")[0]
    report = requests.get(opened.headers["Location"], headers={"Cookie": cookie}, timeout=10)
    assert report.status_code == 200 and "Impact over time" in report.text
    assert report.headers["Cache-Control"] == "no-store"
    in_window = requests.get(
        opened.headers["Location"].replace("/series", "/koula-series.csv"),
        headers={"Cookie": cookie},
        timeout=10,
    )
    streamed = staff_get(access, access["series_csv"])
    assert streamed.status_code == 200 and streamed.headers["Content-Type"].startswith("text/csv")
    assert in_window.content == streamed.content
    assert download(access, access["series_csv"]).content == streamed.content
    rows = csv_rows(streamed.content.decode("utf-8"))
    assert list(rows[0]) == list(SERIES_CSV_COLUMNS)
    (ana,) = [row for row in rows if row["learner_id"] == "series-ana"]
    assert ana["session_number"] == "1" and ana["experiment"] == COMMITMENT["action"]
    # Each session lists the course roster's learners, those who have not started it too.
    first, second = ({r["learner_id"] for r in rows if r["session_number"] == n} for n in "12")
    assert second - first == set() and len(second) > 1  # series-ana, not on it, is in 1 only
    assert any(r["name"] and r["deliverable_status"] == "empty" for r in rows)
    written = tmp_path / "series.csv"
    done = tool.koula(
        "report",
        "export",
        "--series",
        "--context",
        COURSE,
        "--issuer",
        platform.issuer,
        "--output",
        str(written),
    )
    assert done.returncode == 0, done.stderr
    assert written.read_bytes() == streamed.content


def test_the_series_links_open_nothing_for_another_staff_member_or_a_fresh_browser(platform):
    page = two_sessions(platform)
    mine = report_access(page)
    colleague = report_access(launch(platform, "series-colleague", "series-2"))
    other = {"Authorization": f"Bearer {colleague['token']}"}
    for url in (mine["series_csv"], mine["series_csv"].replace("/koula-series.csv", "/series")):
        assert refused(requests.get(url, headers=other, timeout=10)), url
        assert refused(requests.get(url, timeout=10)), url
    assert refused(
        requests.post(mine["series_csv"], data={"ticket": ticket(colleague)}, timeout=10)
    )
    assert refused(requests.post(mine["series_window"], data={"ticket": "forged"}, timeout=10))
    assert staff_get(colleague, colleague["series_csv"]).status_code == 200


def test_exporting_the_series_of_an_unknown_context_says_so(tool):
    done = tool.koula("report", "export", "--series", "--context", "no-such-course")
    assert done.returncode == 2
    assert "no configured activity in context no-such-course" in done.stderr


def test_a_context_on_two_platforms_needs_the_platform_named_to_export_its_series(platform, tool):
    launch(platform, "twice-teacher", "twice-1", course="twice-course")
    with Platform() as other:
        tool.register(other, CLIENT_ID, DEPLOYMENT_ID)
        launch(other, "twice-teacher", "twice-1", course="twice-course")
        both = tool.koula("report", "export", "--series", "--context", "twice-course")
        assert both.returncode == 2 and both.stdout == ""
        assert f"--issuer {platform.issuer} --deployment {DEPLOYMENT_ID}" in both.stderr
        assert f"--issuer {other.issuer} --deployment {DEPLOYMENT_ID}" in both.stderr
        one = tool.koula(
            "report", "export", "--series", "--context", "twice-course", "--issuer", other.issuer
        )
        assert one.returncode == 0 and one.stdout.startswith("\ufeffsession_number,")


def test_the_run_sheets_check_in_shows_staff_all_and_a_learner_host_what_was_shared(platform, tool):
    for who, shared in (("check-ana", True), ("check-ben", False)):
        context = context_of(launch(platform, who, "check-1", staff=False, course="check-course"))
        assert act(context, "submit_deliverable", {"values": CARD}).ok
        body = {"values": {**COMMITMENT, "action": f"Experiment of {who}"}}
        assert act(context, "commit_experiment", {**body, "share_with_group": shared}).ok
    hugo = context_of(launch(platform, "check-hugo", "check-2", staff=False, course="check-course"))
    assert act(hugo, "volunteer_host", {"volunteer": True}).ok
    page = launch(platform, "check-teacher", "check-2", course="check-course")
    runsheet = page.text.split('id="runsheet"')[1].split('id="next-host"')[0]
    assert "Experiment of check-ana" in runsheet and "Experiment of check-ben" in runsheet
    form = page.text.split('action="' + tool.url + '/lti/next-host"')[1]
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    handed = requests.post(
        f"{tool.url}/lti/next-host", data={"token": token, "next_host": "check hugo"}, timeout=10
    )
    assert handed.status_code == 200
    host_page = launch(platform, "check-hugo", "check-2", staff=False, course="check-course").text
    assert "koula-runsheet" in host_page
    assert "Experiment of check-ana" in host_page
    assert "Experiment of check-ben" not in host_page


def test_series_links_expire(short_lived):  # noqa: F811
    with Platform() as platform:
        short_lived.register(platform, CLIENT_ID, DEPLOYMENT_ID)
        access = report_access(two_sessions(platform))
        assert staff_get(access, access["series_csv"]).status_code == 200
        time.sleep(4.5)  # past the 3 s lifetime
        assert refused(staff_get(access, access["series_csv"]))


def session_date_shown(page: requests.Response) -> str:
    match = re.search(r'name="session_date" [^>]*?value="([^"]*)"', page.text)
    assert match, "the staff view has the session date form"
    return match.group(1)


def test_a_deep_links_session_date_is_the_first_and_staff_change_it_in_the_staff_view(platform):
    custom = {**CONFIGURED, "koula_session_date": "2026-03-16"}

    def staff_launch():
        return platform.launch(
            browser_session(),
            client_id=CLIENT_ID,
            custom=custom,
            roles=[ROLE_INSTRUCTOR],
            user="dated-teacher",
            resource_link_id="dated-1",
            context_id="dated-course",
        )

    page = staff_launch()
    assert session_date_shown(page) == "16/03/2026"  # shown as staff type it
    form = re.search(r'action="([^"]+/lti/session-date)"', page.text).group(1)
    token = re.search(
        r'id="session-date">\s*<input type="hidden" name="token" value="([^"]+)"', page.text
    ).group(1)
    changed = requests.post(
        html.unescape(form), data={"token": token, "session_date": "20/03/2026"}, timeout=10
    )
    assert changed.status_code == 200 and session_date_shown(changed) == "20/03/2026"
    assert session_date_shown(staff_launch()) == "20/03/2026"
    refused_date = requests.post(
        html.unescape(form), data={"token": token, "session_date": "20 mars"}, timeout=10
    )
    assert refused_date.status_code == 400 and session_date_shown(refused_date) == "20 mars"


# In a real browser: the staff view in the course page's iframe, where the tool keeps no cookie.


@pytest.mark.e2e
def test_staff_in_an_iframe_download_the_series_csv_and_open_the_series_report(
    tool,
    open_browser,  # noqa: F811 - the fixture of test_iframe_browser, imported above
):
    context = open_browser("safari")
    page = context.new_page()
    with course_of(tool) as (platform, site):
        session = browser_session()
        form = platform.launch(
            session, client_id=FRAME_CLIENT, custom=CONFIGURED, user="framed-ana",
            resource_link_id="framed-series-1",
        )  # fmt: skip
        learner = context_of(submit_auto_form(session, form))
        assert act(learner, "submit_deliverable", {"values": CARD}).status_code == 200
        assert act(learner, "commit_experiment", {"values": COMMITMENT}).status_code == 200
        capture = LoginCapture()
        platform.launch(
            capture,  # type: ignore[arg-type]
            client_id=FRAME_CLIENT, custom=CONFIGURED, roles=[ROLE_INSTRUCTOR],
            user="framed-teacher", resource_link_id="framed-series-2",
            lti_storage_target="_parent",
        )  # fmt: skip
        site.storage, site.iframe_src = "_parent", capture.url
        page.goto(f"{site.url}/course")
        koula = page.frame_locator("#koula")
        koula.locator("[data-koula-report-access][data-bound]").wait_for(state="attached")
        koula.get_by_role("tab", name="Report").click()  # the staff view opens on the run-sheet
        assert koula.locator("[data-koula-series] tbody tr").count() == 2

        with page.expect_download() as streamed:
            koula.locator("button[data-series-action=csv]").click()
        text = Path(streamed.value.path()).read_text(encoding="utf-8-sig")
        (ana,) = [r for r in csv.DictReader(io.StringIO(text)) if r["learner_id"] == "framed-ana"]
        assert ana["experiment"] == COMMITMENT["action"]

        with context.expect_page() as opened:
            koula.locator("button[data-series-action=window]").click()
        window = opened.value
        window.locator(".koula-series").wait_for()
        assert window.url.endswith("/series")
        assert "Impact over time" in window.content()
