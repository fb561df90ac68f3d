"""Staff pages fit the platform's frame that never grows (issue 12, "Staff pages that fit").

Moodle shows the tool in a frame about 560 px tall that it never resizes. Here the course
page frames the tool at exactly 1280 × 560, or 360 × 740 (a phone), in a real Chromium: the
picker's "Add this activity" button is in the frame's view without scrolling, and the staff
view opens on its run-sheet, the first control in view, every other part (report, learners,
settings, score delivery) one click on its tab away. The tabs follow the WAI-ARIA Tabs
pattern (arrow keys, Home, End); a form sent from a tab comes back on it, with its tab in
view, or, refused, with what was typed. The picker's preview opens in view. Without script the
parts stay stacked, every one readable.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from koula_demo.lms import browser_session
from koula_demo.lms.constants import DEEP_LINKING_REQUEST, ROLE_INSTRUCTOR
from koula_demo.tool_process import RunningTool
from tests.e2e.servers import CHROMIUM_ARGS, chromium_path
from tests.lti.conftest import CLIENT_ID as STAFF_CLIENT
from tests.lti.conftest import CONFIGURED
from tests.lti.test_iframe_browser import (  # noqa: F401 - open_browser is a fixture
    CLIENT_ID,
    CourseSite,
    LoginCapture,
    course_of,
    open_browser,
)

pytestmark = pytest.mark.e2e

SIZES = {"1280x560": (1280, 560), "360x740": (360, 740)}
PHONE = {"width": 360, "height": 740}
PARTS = ["runsheet", "report", "learners", "settings", "deliveries"]
# Where an element lies in its frame's view, with the frame's scroll.
PLACE = """(el) => {
  const box = el.getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
          height: window.innerHeight, width: window.innerWidth, scrolled: window.scrollY};
}"""


@pytest.fixture(scope="module", params=["sqlite"])
def tool(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The tool on SQLite only: these pages look the same on either database."""
    running = RunningTool(tmp_path_factory.mktemp("tool-fit"), backend=request.param)
    yield running
    running.stop()


# Resolves once the frame has drawn twice more.
FRAMES_DRAWN = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def frame_at(site: CourseSite, width: int, height: int) -> None:
    """The course page frames the tool at ``width`` × ``height``, and never resizes it."""
    site._course = lambda: (  # type: ignore[method-assign]
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Course 1</title>'
        f"<style>body{{margin:0}}iframe#koula{{display:block;width:{width}px;"
        f'height:{height}px;border:0}}</style><iframe name="koula" id="koula" '
        f'src="{site.iframe_src}"></iframe>'
    )


@pytest.fixture
def framed(tool: Any, open_browser: Any) -> Iterator[Any]:  # noqa: F811
    """``framed(size, message_type=...)``: the course page framing a staff launch at
    ``size``; returns the tool's frame (a Playwright Frame)."""
    page = open_browser("chrome").new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    with course_of(tool) as (platform, site):

        def open_(size: str, **launch: Any) -> Any:
            capture = LoginCapture()
            platform.launch(
                capture,  # type: ignore[arg-type]
                client_id=CLIENT_ID,
                roles=[ROLE_INSTRUCTOR],
                user="fit-teacher",
                **{"custom": CONFIGURED, **launch},
            )
            site.iframe_src = capture.url
            frame_at(site, *SIZES[size])
            page.goto(f"{site.url}/course")
            page.frame_locator("#koula").locator("main").wait_for()
            frame = page.frame(name="koula")
            frame.wait_for_load_state()
            return frame

        yield open_


def in_view(frame: Any, selector: str) -> dict[str, float]:
    """Where the first element ``selector`` finds lies; asserts it is wholly in the view."""
    place = frame.locator(selector).first.evaluate(PLACE)
    assert place["scrolled"] == 0, place
    assert wholly_in_view(place), (selector, place)
    return place


def wholly_in_view(place: dict[str, float]) -> bool:
    """The box lies within the view, give or take a pixel's fraction of rounding."""
    return (
        place["top"] > -1
        and place["bottom"] < place["height"] + 1
        and place["left"] > -1
        and place["right"] < place["width"] + 1
    )


def shown(frame: Any) -> list[str]:
    return [part for part in PARTS if frame.locator(f"#{part}").is_visible()]


@pytest.mark.parametrize("size", list(SIZES))
def test_the_pickers_add_button_is_in_view_without_scrolling(framed, size):
    frame = framed(size, message_type=DEEP_LINKING_REQUEST, resource_link_id=None, custom=None)
    button = frame.get_by_role("button", name="Add this activity")

    in_view(frame, 'button[name="do"][value="save"]')
    assert button.is_visible()
    frame.locator("#picker-score_maximum").focus()  # the last field, under the button's bar
    place = frame.locator("#picker-score_maximum").evaluate(PLACE)
    bar = frame.locator('button[name="do"][value="save"]').evaluate(PLACE)
    assert place["bottom"] <= bar["top"], (place, bar)  # a focused field is not hidden by it


def test_the_pickers_preview_opens_in_view(framed):
    frame = framed(
        "1280x560", message_type=DEEP_LINKING_REQUEST, resource_link_id=None, custom=None
    )

    with frame.expect_navigation():
        frame.get_by_role("button", name="Preview").click()

    heading = frame.get_by_role("heading", name="Preview")
    place = heading.evaluate(PLACE)
    assert wholly_in_view(place), place


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("size", list(SIZES))
def test_the_staff_view_opens_on_the_run_sheet_and_each_other_part_is_one_click_away(
    framed, size, locale
):
    frame = framed(size, locale=locale)

    assert shown(frame) == ["runsheet"]
    in_view(frame, '#runsheet button[data-action="start"]')
    tabs = frame.get_by_role("tab")
    assert tabs.count() == len(PARTS)
    assert frame.get_by_role("tab", selected=True).get_attribute("aria-controls") == "runsheet"
    for index, part in enumerate(PARTS):
        in_view(frame, f'[role="tab"][aria-controls="{part}"]')
        tabs.nth(index).click()
        assert shown(frame) == [part]
        assert frame.get_by_role("tabpanel").get_attribute("id") == part


def test_the_tabs_follow_the_arrow_keys_home_and_end(framed):
    frame = framed("1280x560")
    keyboard = frame.page.keyboard
    frame.get_by_role("tab").first.focus()

    def selected() -> str:
        focused = frame.evaluate("() => document.activeElement.getAttribute('aria-controls')")
        chosen = frame.get_by_role("tab", selected=True).get_attribute("aria-controls")
        assert focused == chosen and shown(frame) == [chosen]
        return str(chosen)

    steps = {"ArrowRight": "report", "End": "deliveries", "Home": "runsheet"}
    for key, part in steps.items():
        keyboard.press(key)
        assert selected() == part, key
    keyboard.press("ArrowLeft")  # from the first, round to the last
    assert selected() == "deliveries"
    keyboard.press("ArrowRight")
    assert selected() == "runsheet"
    unselected = frame.locator('[role="tab"][aria-selected="false"]')
    assert [unselected.nth(i).get_attribute("tabindex") for i in range(4)] == ["-1"] * 4


@pytest.mark.parametrize("size", list(SIZES))
def test_a_refused_session_date_comes_back_on_the_settings_tab_with_the_date_typed(framed, size):
    frame = framed(size)
    frame.get_by_role("tab", name="Settings").click()
    frame.locator("#session-date-value").fill("31/12/1999")  # before 2000: refused

    with frame.expect_navigation():
        frame.get_by_role("button", name="Save the session date").click()

    assert shown(frame) == ["settings"]
    assert frame.get_by_role("tab", selected=True).inner_text() == "Settings"
    field = frame.locator("#session-date-value")
    assert field.input_value() == "31/12/1999"
    assert field.get_attribute("aria-invalid") == "true"
    assert "dd/mm/yyyy" in frame.locator("#session-date-error").inner_text()
    place = field.evaluate(PLACE)
    assert wholly_in_view(place), place


@pytest.mark.parametrize("name", ["", " " * 3])
def test_a_refused_next_host_comes_back_with_its_error_and_field_in_view(framed, name):
    frame = framed("1280x560")
    frame.locator("#next-host-name").fill(name)

    with frame.expect_navigation():
        frame.get_by_role("button", name="Save the next host").click()
    frame.wait_for_load_state("load")
    frame.evaluate(FRAMES_DRAWN)  # past the browser's own jump to the address's fragment

    assert shown(frame) == ["runsheet"]
    field = frame.locator("#next-host-name")
    assert field.get_attribute("aria-invalid") == "true"
    error = frame.locator("#next-host-error")
    assert error.get_attribute("role") == "alert"
    for element in (field, error):
        place = element.evaluate(PLACE)
        assert wholly_in_view(place), place
    assert frame.evaluate("document.activeElement.id") == "next-host-name"


def test_a_saved_session_date_comes_back_on_the_settings_tab_with_its_tab_in_view(framed):
    frame = framed("360x740")
    frame.get_by_role("tab", name="Settings").click()
    frame.locator("#session-date-value").fill("20/03/2026")

    with frame.expect_navigation():
        frame.get_by_role("button", name="Save the session date").click()

    assert shown(frame) == ["settings"]
    assert frame.locator("#session-date-value").input_value() == "20/03/2026"
    tab = frame.get_by_role("tab", selected=True)
    assert tab.inner_text() == "Settings"
    place = tab.evaluate(PLACE)
    assert wholly_in_view(place), place


def test_without_script_every_part_is_shown_stacked_under_a_list_of_links(platform, playwright):
    staff = platform.launch(
        browser_session(),
        client_id=STAFF_CLIENT,
        custom=CONFIGURED,
        roles=[ROLE_INSTRUCTOR],
        user="no-script-teacher",
    )
    assert staff.status_code == 200, staff.text[:1000]
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(java_script_enabled=False, viewport=PHONE)
        page = context.new_page()
        page.set_content(staff.text)
        assert shown(page) == PARTS
        assert page.locator('[role="tablist"], [role="tab"], [role="tabpanel"]').count() == 0
        links = page.locator("nav a")
        assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
            f"#{part}" for part in PARTS
        ]
    finally:
        browser.close()
