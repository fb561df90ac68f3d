"""A newcomer's walk through ``koula demo`` in headless Chromium, then Ctrl-C.

The demo runs as a real ``koula demo`` process with every part (sandbox LMS, LTI tool,
Open edX workbench): the instructor adds an activity by deep linking, the learner
completes the loop inside the course page, the score reaches the sandbox's gradebook,
and the instructor's launch shows the report with the roster's learners who have not
started. SIGINT then stops the demo and every process it started.
"""

from __future__ import annotations

import signal
from typing import Any

import pytest

from devtools import demo_tour
from devtools.running_demo import alive, descendants
from tests.e2e.servers import ROOT

pytestmark = pytest.mark.e2e


def test_the_instructor_adds_koula_the_learner_completes_it_and_the_gradebook_and_report_show_it(
    demo, page
):
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)

    def shot(name: str, element: Any = None) -> None:
        (element or page).screenshot(path=str(artifacts / f"demo-{name}.png"))

    page.goto(f"{demo.url}/")
    workbench = page.get_by_role("link", name="Open the Open edX workbench")
    assert page.request.get(workbench.get_attribute("href")).ok

    demo_tour.add_activity(page, demo.url, shot)
    assert "The Koula activity was added to the course." in page.content()

    state = demo_tour.learner_completes_the_loop(page, demo.url, shot)
    assert state["return"]["status"] == "submitted"
    assert state["progress"]["score"] == 1.0

    demo_tour.gradebook_shows(page, demo.url, "camille", "100.0", shot)
    not_started = page.locator('tr[data-user="samir"]')
    assert "Not started" in not_started.inner_text()

    report = demo_tour.instructor_reads_the_report(page, demo.url, shot)
    progress = report.locator('.koula-report [data-section="progress"]')
    not_started_row = progress.locator("tr", has_text="Not started")
    assert not_started_row.locator("td").inner_text() == "2"  # the roster's, as below
    table = report.locator('.koula-report [data-section="learners"]')
    assert table.locator('tr[data-learner="samir"]').count() == 1  # listed, not started
    demo_tour.staff_part(report, "learners")
    staff_text = report.locator("body").inner_text()
    assert "3 learner(s) in the course: 1 started, 2 not started yet." in staff_text

    subject = demo_tour.a_second_session_brings_a_reminder(page, demo.url, shot)
    assert subject == "Your experiment is due today: report back"

    children = descendants(demo.process.pid)
    assert len(children) >= 2  # the tool and the workbench
    assert demo.stop(signal.SIGINT) == 0
    assert [pid for pid in children if alive(pid)] == []


def test_the_sandbox_speaks_french_and_passes_the_language_to_koula(demo, page):
    page.goto(f"{demo.url}/?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Cours : communauté de pratique"
    page.get_by_role("button", name="Ajouter une activité Koula").click()
    page.locator('button[name="do"][value="save"]').wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
