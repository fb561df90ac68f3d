"""Two Koula blocks in one course, in the real workbench and a real browser (issue 11).

A learner commits (sharing it with the group) in the first session, downloads the
calendar file, and finds the experiment first on the second session's page;
course staff see it in the second session's check-in, see the course's series and
open its report and CSV, which a learner cannot.
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from koula.library import get_template, library_templates
from koula.template import Part
from tests.e2e.learner import answer

pytestmark = pytest.mark.e2e

SCENARIO = f"koula.{2 * len(library_templates())}"  # the series, after every template's two
TEMPLATE = get_template("default-koula")
LEARNER = "series-ana"


def submit(page, block, part: str) -> None:
    form = block.locator(f'form[data-part="{part}"]')
    with page.expect_response(re.compile(r"/handler/")) as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 200, response.value.text()


def open_series(page, url: str, student: str):
    page.goto(f"{url}/scenario/{SCENARIO}/?student={student}")
    blocks = page.locator(".koula[data-koula-uid]")
    page.locator(".koula[data-koula-ready]").nth(1).wait_for()
    return blocks.nth(0), blocks.nth(1)


def test_an_experiment_committed_in_one_session_comes_first_in_the_next(page, workbench, artifacts):
    url, _ = workbench
    first, second = open_series(page, url, LEARNER)
    for part in (Part.DELIVERABLE, Part.COMMITMENT):
        for field in TEMPLATE.fields_of(part):
            if field.required:
                answer(first, part.value, field)
        if part is Part.COMMITMENT:
            first.locator('[name="share_with_group"]').check()
        submit(page, first, part.value)
    calendar = first.locator('[data-role="calendar"]')
    calendar.wait_for(state="visible")  # shown once committed, without a reload
    href = calendar.locator("a").get_attribute("href")
    download = page.request.get(url + href if href.startswith("/") else href)
    assert download.status == 200
    assert download.headers["content-type"] == "text/calendar; charset=utf-8"
    assert ".ics" in download.headers["content-disposition"]
    assert download.text().startswith("BEGIN:VCALENDAR")

    first, second = open_series(page, url, LEARNER)
    state = first.locator('[name="share_with_group"]')
    assert state.is_checked()  # the page sent share_with_group and the block kept it
    carried = second.locator('[data-role="carried"]')
    assert "Kick-off" in carried.inner_text()
    assert carried.locator("time").count() == 2  # the session's date and the due date
    assert first.locator('[data-role="carried"]').count() == 0
    carried.screenshot(path=str(artifacts / "workbench-series-carried.png"))


def test_staff_see_the_check_in_the_series_and_its_report(page, workbench, artifacts):
    url, _ = workbench
    first, _second = open_series(page, url, "series-ben")
    for field in TEMPLATE.fields_of(Part.DELIVERABLE):
        if field.required:
            answer(first, "deliverable", field)
    submit(page, first, "deliverable")
    for field in TEMPLATE.fields_of(Part.COMMITMENT):
        if field.required:
            answer(first, "commitment", field)
    submit(page, first, "commitment")

    page.goto(f"{url}/scenario/{SCENARIO}/?student=staff-series")
    page.locator(".koula-runsheet").nth(1).wait_for()
    runsheets = page.locator(".koula-runsheet")
    check_in = runsheets.nth(1).locator('[data-role="check-in"]')
    assert "series-ben" in check_in.inner_text()
    assert "Not reported yet" in check_in.inner_text()
    series = page.locator('[data-role="series"]').nth(1)
    assert "1. Kick-off" in series.inner_text() and "2. Follow-up" in series.inner_text()
    page.screenshot(path=str(artifacts / "workbench-series-staff.png"), full_page=True)

    report_link = series.locator('[data-role="series-report"]').get_attribute("href")
    report = page.request.get(url + report_link)
    assert report.status == 200 and "Kick-off" in report.text() and "Follow-up" in report.text()
    csv_link = series.locator('[data-role="series-csv"]').get_attribute("href")
    rows = list(
        csv.DictReader(io.StringIO(page.request.get(url + csv_link).text().lstrip("\ufeff")))
    )
    assert ("1", "series-ben") in {(row["session_number"], row["learner_id"]) for row in rows}

    usage = page.locator("[data-block-type=koula]").first.get_attribute("data-usage")
    for handler in ("series_report", "series_csv"):
        refused = page.request.get(f"{url}/handler/{usage}/{handler}/?student=series-ben")
        assert refused.status == 403
