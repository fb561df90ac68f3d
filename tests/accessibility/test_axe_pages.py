"""axe-core on every page of ``koula demo``, in English and in French: no serious or critical
violation, nor one of the moderate rules held (``tests/accessibility/axe.py``: landmarks told
apart by their names), in the course page or in the Koula tool framed inside it.

One real ``koula demo`` (sandbox LMS and LTI tool, without the Open edX workbench) per
language and width (1280 and 360 px), walked in headless Chromium as a newcomer would: the
course page, the picker (deep linking) and its preview, the learner page in each state
(empty, sent unfinished with its errors, card submitted, committed, returned and complete,
and a second session carrying the first one's open experiment over), the mailbox and a
reminder e-mail, the reminder's return and unsubscribe pages, the gradebook, the staff
view, the activity report and the series report, the tool's error page, and the page that
ends a platform's dynamic registration (a second, test platform registering the demo's
tool through an invitation of its own). Each page is audited, then each test below reads
one page's findings. See docs/accessibility.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.demo_tour import _fill
from devtools.running_demo import RunningDemo
from koula.template import Part
from koula_demo.children import invite_tool
from koula_demo.lms import Platform
from tests.accessibility.axe import Violation, audit, blocking, describe, need_axe
from tests.e2e.servers import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.e2e

# Each language at a desktop's width and at a phone's (where tables scroll in their own
# regions, which must then take the keyboard's focus).
WALKS = [(language, width) for language in ("en", "fr") for width in (1280, 360)]
HEIGHT = {1280: 800, 360: 740}
PAGES = [
    "sandbox course page, no activity",
    "picker",
    "picker with its preview",
    "picker with its errors",
    "sandbox course page, activity added",
    "learner page, empty",
    "learner page, card sent unfinished (its errors shown)",
    "learner page, card submitted",
    "learner page, committed",
    "learner page, second session carrying the first one's experiment",
    "learner page, returned and complete",
    "mailbox",
    "mailbox after the reminder pass",
    "reminder e-mail",
    "reminder's return page",
    "reminder's unsubscribe page",
    "gradebook",
    "staff view",
    "activity report",
    "series report",
    "the tool's error page (a login that is not one)",
    "the tool's registration done page (Koula is registered)",
]
# Known violations not fixed yet, each with its reason: {(page, axe rule id): why}. A pair
# listed here is left out of its page's assertion (in both languages), and nowhere else.
KNOWN: dict[tuple[str, str], str] = {}

READY = {"learner": ".koula[data-koula-ready]", "instructor": "[data-koula-report-access]"}
DONE = ':is([data-status="submitted"],[data-status="committed"])'


@pytest.fixture(scope="module", params=WALKS, ids=[f"{lang}-{width}px" for lang, width in WALKS])
def findings(
    request: pytest.FixtureRequest, playwright: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Walk]:
    """Walk a fresh ``koula demo`` in one language at one width; each page's axe violations
    (a walk stopped by an error keeps the pages it audited, and says why)."""
    need_axe()
    language, width = request.param
    data = tmp_path_factory.mktemp(f"demo-{language}-{width}") / "data"
    demo = RunningDemo(data, "--no-workbench")
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
    )
    try:
        demo.wait_until_ready()
        context = browser.new_context(
            viewport={"width": width, "height": HEIGHT[width]}, locale=language, bypass_csp=True
        )
        page = context.new_page()
        page.set_default_timeout(30_000)
        walk = Walk(page, demo.url, language, data=data)
        try:
            walk.everything()
        except Exception as error:  # the tests of the pages not reached say it
            walk.stopped = f"{type(error).__name__}: {error}"
        yield walk
    finally:
        browser.close()
        if demo.process.poll() is None:
            demo.kill()


@pytest.mark.parametrize("name", PAGES)
def test_the_page_has_no_blocking_accessibility_violation(findings: Walk, name: str) -> None:
    assert name in findings.found, f"the walk did not reach {name!r}: {findings.stopped}"
    violations = findings.found[name]
    failing = [v for v in blocking(violations) if (name, v.rule) not in KNOWN]
    others = [v for v in violations if v not in failing]
    assert not failing, (
        f"{name}:\n{describe(failing)}\n\nAlso found (moderate, minor or known, not failing):\n"
        f"{describe(others)}"
    )


def test_every_known_exception_names_a_page_of_the_walk_and_gives_its_reason() -> None:
    assert all(page in PAGES and reason.strip() for (page, _), reason in KNOWN.items())


class Walk:
    """The demo's pages in order, each audited where it stands."""

    def __init__(self, page: Any, url: str, language: str, *, data: Path | None = None) -> None:
        self.page, self.url, self.language = page, url, language
        self.data = data  # the demo's data folder: the tool's invitations are made there
        self.found: dict[str, list[Violation]] = {}
        self.tool = ""  # the tool's address, as the picker shows it
        self.stopped = ""  # the error that stopped the walk before its end

    def audit(self, name: str) -> None:
        assert name in PAGES, name
        self.page.wait_for_load_state("load")
        self.found[name] = audit(self.page)

    def audit_each_part(self, frame: Any, name: str) -> None:
        """Audit the staff view as it opens, then after each link of its navigation (each
        part shown, whether the parts are stacked or one at a time); every violation once."""
        self.audit(name)
        seen = set(self.found[name])
        links = frame.locator('nav a[href^="#"]')
        for index in range(links.count()):
            if links.nth(index).is_visible():
                links.nth(index).click()
                seen |= set(audit(self.page))
        self.found[name] = sorted(seen, key=lambda v: (v.frame, v.rule))

    def show(self, frame: Any, target: Any) -> None:
        """Follow the staff view's navigation until ``target`` is shown (the parts may be
        one at a time)."""
        links = frame.locator('nav a[href^="#"]')
        for index in range(links.count()):
            if target.is_visible():
                return
            if links.nth(index).is_visible():
                links.nth(index).click()

    def everything(self) -> dict[str, list[Violation]]:
        page = self.page
        page.goto(f"{self.url}/?lang={self.language}")
        self.audit("sandbox course page, no activity")
        self.add_activity(audit=True)
        self.audit("sandbox course page, activity added")

        first = self.open_activity(0, "learner")
        self.audit("learner page, empty")
        self.send_unfinished(first, Part.DELIVERABLE)
        self.audit("learner page, card sent unfinished (its errors shown)")
        self.submit(first, Part.DELIVERABLE, "submit_deliverable")
        self.audit("learner page, card submitted")
        self.submit(first, Part.COMMITMENT, "commit_experiment")
        self.audit("learner page, committed")

        self.add_activity()
        second = self.open_activity(1, "learner")
        second.locator('[data-role="carried"]').wait_for(state="attached")
        self.audit("learner page, second session carrying the first one's experiment")
        self.submit(second, Part.DELIVERABLE, "submit_deliverable")
        due_on = self.submit(second, Part.COMMITMENT, "commit_experiment")["commitment"]["due_on"]

        first = self.open_activity(0, "learner")
        self.submit(first, Part.RETURN, "submit_return")
        self.audit("learner page, returned and complete")

        page.goto(f"{self.url}/mailbox")
        self.audit("mailbox")
        page.locator("#day").fill(str(due_on))
        page.locator('form[action="/mailbox/run"] button[type=submit]').click()
        page.locator("pre[role=status]").wait_for()
        self.audit("mailbox after the reminder pass")
        page.locator("table a").first.click()
        page.locator("iframe.koula").wait_for()
        self.audit("reminder e-mail")
        unsubscribe = page.locator('pre a[href*="/lti/reminders/unsubscribe/"]').first
        unsubscribe = unsubscribe.get_attribute("href")
        page.goto(page.locator('pre a[href*="/lti/reminders/return/"]').first.get_attribute("href"))
        page.locator('form[data-part="return"]').first.wait_for()
        self.audit("reminder's return page")
        page.goto(unsubscribe)
        self.audit("reminder's unsubscribe page")

        page.goto(f"{self.url}/gradebook")
        self.audit("gradebook")

        staff = self.open_activity(0, "instructor")
        self.audit_each_part(staff, "staff view")
        window = staff.locator('[data-report-action="window"]')
        self.show(staff, window)
        with page.context.expect_page() as opened:
            window.click()
        report = opened.value
        report.locator(".koula-report").first.wait_for()
        self.page = report
        self.audit("activity report")
        report.locator('[data-role="series-report"]').click()
        report.locator('[data-role="activity-report"]').wait_for()
        self.audit("series report")
        report.close()
        self.page = page
        answer = page.goto(f"{self.tool}/lti/login")
        assert answer is not None and 400 <= answer.status < 500, answer
        self.audit("the tool's error page (a login that is not one)")
        self.registration_done()
        return self.found

    def registration_done(self) -> None:
        """Another platform registers the demo's tool (dynamic registration), the admin's
        browser opening the tool's registration link: the page that says Koula is registered."""
        assert self.data is not None, "the walk needs the demo's data folder to invite a platform"
        port = int(self.tool.rsplit(":", 1)[1])
        with Platform() as platform:
            self.page.goto(platform.registration_start_url(invite_tool(self.data, port)))
            self.page.locator("#next-step").wait_for()
            self.audit("the tool's registration done page (Koula is registered)")

    def add_activity(self, audit: bool = False) -> None:
        """The instructor adds an activity through the picker (deep linking)."""
        page = self.page
        page.goto(f"{self.url}/")
        page.locator("#add-activity").click()
        save = page.locator('button[name="do"][value="save"]')
        save.wait_for()
        if audit:
            self.audit("picker")
            page.locator('button[name="do"][value="preview"]').click()
            page.locator("section [data-koula-preview], section .koula").first.wait_for()
            self.audit("picker with its preview")
            days = page.locator("#picker-reminder_days")
            typed = days.input_value()
            days.fill("99")
            save.click()
            page.locator('[aria-invalid="true"]').first.wait_for()
            self.audit("picker with its errors")
            self.tool = page.url.split("/lti/")[0]
            days.fill(typed)
        save.click()
        page.get_by_role("status").wait_for()

    def open_activity(self, index: int, as_whom: str) -> Any:
        """Open the course's ``index``-th activity as ``learner`` or ``instructor``."""
        page = self.page
        page.goto(f"{self.url}/")
        page.locator(f'a[href^="/activity/"][href$="as={as_whom}"]').nth(index).click()
        frame = page.frame_locator("#koula")
        frame.locator(READY[as_whom]).first.wait_for(state="attached")
        return frame

    def send_unfinished(self, frame: Any, part: Part) -> None:
        """Send ``part`` with its required fields empty; wait for the errors under them."""
        form = frame.locator(f'form[data-part="{part.value}"]:not([data-session])')
        form.locator("button[type=submit]").click()
        form.locator('[aria-invalid="true"]').first.wait_for()

    def submit(self, frame: Any, part: Part, action: str) -> dict[str, Any]:
        """Answer ``part``'s required fields, send it, wait until the page shows it done."""
        _fill(frame, part)
        form = frame.locator(f'form[data-part="{part.value}"]:not([data-session])')
        with self.page.expect_response(re.compile(rf"/{action}$")) as answered:
            form.locator("button[type=submit]").click()
        assert answered.value.status == 200, answered.value.text()
        form.locator(f'[data-role="status"]{DONE}').wait_for(state="attached")
        state: dict[str, Any] = answered.value.json()
        return state
