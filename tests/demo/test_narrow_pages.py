"""Every page of ``koula demo`` fits a 360 × 740 phone screen: nothing wider than the screen.

One walk through a real ``koula demo`` in headless Chromium at 360 px: the sandbox's pages
(course, picker, activity frame, launch in its own window, gradebook, mailbox, an e-mail),
the learner page in each state, each part of the staff view (one tab at a time), the report,
the reminder e-mail's return and unsubscribe pages and the series report. On each, the page
(and the Koula frame in it) must not scroll sideways:
``document.scrollingElement.scrollWidth <= window.innerWidth``. Long words and addresses
wrap; wide tables scroll inside their own region.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from devtools import demo_tour

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}

# What sticks out, when something does: the elements whose right edge passes the screen's.
OVERFLOW = """() => {
  const width = window.innerWidth, scrolled = document.scrollingElement.scrollWidth;
  if (scrolled <= width) return [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const clipped = (el) => {  // inside a region that scrolls or clips: not the page's overflow
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  const wide = Array.from(document.querySelectorAll("body *"))
    .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el))
    .map((el) => name(el) + " (right edge " + Math.round(el.getBoundingClientRect().right) + ")");
  const where = "scrollWidth " + scrolled + " > " + width + " at " + location.pathname;
  return [where, ...wide.slice(0, 10)];
}"""


class Checks:
    """What overflowed, page by page: every page is looked at before the test fails."""

    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def look(self, name: str, page: Any, frame_ready: str | None = None) -> None:
        """Look at ``page``, and at its Koula frame once ``frame_ready`` is in it."""
        page.wait_for_load_state()
        self._record(name, page.main_frame)
        if frame_ready:
            page.frame_locator("#koula").locator(frame_ready).first.wait_for()
            self._record(name + " (its Koula frame)", page.frame(name="koula"))

    def _record(self, name: str, frame: Any) -> None:
        wide = frame.evaluate(OVERFLOW)
        if wide:
            self.found[name] = wide


def test_every_page_of_the_demo_fits_a_360_px_wide_screen(demo, browser):
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(30_000)
    checks = Checks()
    url = demo.url

    def shot(name: str, element: Any = None) -> None:
        if name == "picker":
            checks.look("the picker", page)

    page.goto(f"{url}/")
    checks.look("the course page, before any activity", page)
    demo_tour.add_activity(page, url, shot)
    checks.look("the course page with an activity", page)

    page.goto(f"{url}/launch/{_first_link(page)}?as=learner")
    page.locator(".koula[data-koula-ready]").wait_for()
    checks.look("the learner page in its own window", page)

    def learner_shot(name: str, element: Any = None) -> None:
        checks.look(f"the learner page: {name}", page, ".koula[data-koula-ready]")

    demo_tour.learner_completes_the_loop(page, url, learner_shot)

    demo_tour.gradebook_shows(page, url, "camille", "100.0", demo_tour.nobody)
    checks.look("the gradebook", page)

    staff = demo_tour.open_activity(page, url, "instructor")
    for part in demo_tour.STAFF_PARTS:  # one at a time, each on its tab
        demo_tour.staff_part(staff, part)
        checks.look(f"the staff view: {part}", page, demo_tour.STAFF_READY)
    demo_tour.staff_part(staff, "report")
    with page.context.expect_page() as opened:
        staff.locator('button[data-report-action="window"]').click()
    report = opened.value
    report.locator(".koula-report").first.wait_for()
    checks.look("the report in its own window", report)
    report.close()

    def series_shot(name: str, element: Any = None) -> None:
        if name == "instructor-series-report":
            checks.look("the series report in its own window", element)

    demo_tour.a_second_session_brings_a_reminder(page, url, series_shot)
    page.goto(f"{url}/mailbox")
    checks.look("the mailbox", page)
    page.locator("table a").first.click()
    checks.look("an e-mail", page)
    letter = page.locator("iframe.koula").get_attribute("srcdoc") or ""
    for kind in ("return", "unsubscribe"):
        link = re.search(rf'href="([^"]*/lti/reminders/{kind}/[^"]+)"', letter)
        assert link, f"no {kind} link in the reminder"
        page.goto(link.group(1).replace("&amp;", "&"))
        checks.look(f"the reminder's {kind} page", page)

    page.goto(f"{url}/?lang=fr")
    checks.look("the course page in French", page)
    page.get_by_role("link", name=re.compile("Lancer en tant qu.apprenant")).first.click()
    checks.look("the learner page in French", page, ".koula[data-koula-ready]")

    assert checks.found == {}


def _first_link(page: Any) -> str:
    href = page.get_by_role("link", name=re.compile("Launch as learner")).first.get_attribute(
        "href"
    )
    found = re.search(r"/activity/([^?]+)", href or "")
    assert found, href
    return found.group(1)
