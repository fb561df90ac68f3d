"""A manager opens the run-sheet and the impact report in the workbench, and downloads the CSV."""

from __future__ import annotations

import csv
import io

import pytest

from koula.library import library_templates
from koula.template import Part
from tests.e2e.learner import answer
from tests.e2e.test_workbench_loop import submit

pytestmark = pytest.mark.e2e
SCENARIO = "koula.4"  # the third library template, in English: no other browser test uses it
TEMPLATE = library_templates()[2]


def test_a_manager_reads_the_report_and_the_host_runs_the_session(page, workbench, artifacts):
    url, _ = workbench
    for learner in ("staffview-a", "staffview-b"):
        page.goto(f"{url}/scenario/{SCENARIO}/?student={learner}")
        page.locator(".koula[data-koula-ready]").wait_for()
        for field in TEMPLATE.fields_of(Part.DELIVERABLE):
            if field.required:
                answer(page, "deliverable", field)
        submit(page, "deliverable")
    page.goto(f"{url}/scenario/{SCENARIO}/?student=staff-manager")
    report = page.locator(".koula-report")
    report.wait_for()
    assert "2" in report.locator("[data-role=coverage]").inner_text()
    assert report.locator("svg[role=img]").count() >= 3
    runsheet = page.locator(".koula-runsheet")
    assert runsheet.locator("button").count() > 0
    page.screenshot(path=str(artifacts / "workbench-staff-report.png"), full_page=True)
    link = report.locator("a[href*='export_csv']").get_attribute("href")
    download = page.request.get(url + link if link.startswith("/") else link)
    assert download.status == 200
    rows = list(csv.DictReader(io.StringIO(download.text().lstrip("\ufeff"))))
    assert {row["learner_id"] for row in rows} >= {"staffview-a", "staffview-b"}


def test_a_learner_sees_no_staff_page_and_cannot_export(page, workbench):
    url, _ = workbench
    page.goto(f"{url}/scenario/{SCENARIO}/?student=curious-learner")
    page.locator(".koula[data-koula-ready]").wait_for()
    assert page.locator(".koula-report").count() == 0
    usage = page.locator("[data-block-type=koula]").first.get_attribute("data-usage")
    refused = page.request.get(f"{url}/handler/{usage}/export_csv/?student=curious-learner")
    assert refused.status == 403


def test_a_learner_offers_to_host_and_the_host_run_sheet_lists_them(page, workbench):
    url, _ = workbench
    page.goto(f"{url}/scenario/{SCENARIO}/?student=keen-host")
    page.locator(".koula[data-koula-ready]").wait_for()
    toggle = page.locator("[data-koula-host] button")
    with page.expect_response(lambda r: "/volunteer_host/" in r.url) as response:
        toggle.click()
    assert response.value.status == 200
    page.locator("[data-koula-host] button[aria-pressed=true]").wait_for()  # set after the answer
    page.reload()
    assert page.locator("[data-koula-host] button").get_attribute("aria-pressed") == "true"
    page.goto(f"{url}/scenario/{SCENARIO}/?student=staff-host-check")
    volunteers = page.locator(".koula-runsheet [data-role=volunteers]")
    assert "keen-host" in volunteers.inner_text()


def test_staff_save_the_next_host_and_a_learner_sees_it(page, workbench):
    url, _ = workbench
    page.goto(f"{url}/scenario/{SCENARIO}/?student=staff-chooser")
    form = page.locator("form[data-koula-next-host]")
    form.locator("[name=next_host]").fill("Ana Costa")
    with page.expect_response(lambda r: "/assign_host/" in r.url) as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 200
    form.locator("[data-role=next-host-status]").filter(has_text="saved").wait_for()
    page.goto(f"{url}/scenario/{SCENARIO}/?student=plain-learner")
    assert "Next host: Ana Costa" in page.locator("[data-role=next-host]").inner_text()
