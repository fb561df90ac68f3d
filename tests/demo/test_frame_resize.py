"""The tool's frame fits its page where the platform allows it (``lti.frameResize``), and the
pages still work in a fixed frame, as Moodle's 560 px one.

A real ``koula demo`` in headless Chromium: the sandbox LMS honours ``lti.frameResize`` the
way Canvas and Brightspace do (from the tool's frame only), or keeps a fixed 560 px frame.
"""

from __future__ import annotations

from typing import Any

import pytest

from devtools import demo_tour

pytestmark = pytest.mark.e2e

INNER_HEIGHT = "() => Math.ceil(document.documentElement.getBoundingClientRect().height)"
FRAME_HEIGHT = "() => Math.round(document.getElementById('koula').clientHeight)"


def _heights(page: Any) -> tuple[int, int]:
    """The frame's height in the course page, and the height of the tool's page inside it
    (another origin: read in its own frame)."""
    return page.evaluate(FRAME_HEIGHT), page.frame(name="koula").evaluate(INNER_HEIGHT)


def _frame_fits(page: Any, tries: int = 100) -> tuple[int, int]:
    """Wait until the frame is as tall as the page inside it (one pixel of rounding aside)."""
    for _ in range(tries):
        framed, inner = _heights(page)
        if abs(framed - max(inner, 320)) <= 1:
            return framed, inner
        page.wait_for_timeout(100)
    raise AssertionError(f"the frame ({framed} px) never fitted its page ({inner} px)")


def test_the_frame_follows_the_page_height_and_a_fixed_frame_scrolls_inside(demo, page):
    demo_tour.add_activity(page, demo.url, lambda *_: None)
    demo_tour.open_activity(page, demo.url, "learner")

    framed, inner = _frame_fits(page)
    assert framed > 560 and inner > 560  # the whole page shows, no scrolling inside the frame

    # The page grows (a part opens, say): the tool asks again and the frame follows.
    page.frame(name="koula").evaluate(
        "() => { const d = document.createElement('div'); d.style.height = '700px';"
        " document.querySelector('main').appendChild(d); }"
    )
    assert _frame_fits(page)[0] >= framed + 700

    # A platform that never resizes: the frame stays 560 px and the page scrolls inside it.
    page.goto(page.url + "&frame=fixed")
    page.frame_locator("#koula").locator(".koula[data-koula-ready]").wait_for()
    framed, inner = _heights(page)
    assert framed == 560
    assert inner > 560
    inside = page.frame(name="koula")
    inside.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    assert inside.evaluate("() => window.scrollY") > 0
