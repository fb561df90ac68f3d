"""The next step first, in a frame the size Moodle gives it (issue 12, point 1).

The learner page as the LTI tool serves it, launched inside a course page's iframe of
exactly 1280 × 560 (Moodle 4.5 never resizes its frame) and 360 × 740 (a phone), in a
real headless Chromium. For each learner state, at scroll position 0: the next step's
first question and its submit button lie inside the frame and nothing covers them (the
point at their centre is theirs), the parts done are folded (their questions not shown),
and the agenda is open only until the card is in. Tab from the top of the page reaches the
next step's first question before any other question. The learner's state is made over
HTTP (``docs/learner-api.md``) before the frame launches, as a learner who comes back
later finds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from koula.library import get_template
from koula.template import Part
from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of
from koula_demo.lms import Platform, browser_session
from koula_demo.lms.browser import submit_auto_form
from koula_demo.tool_process import RunningTool
from tests.e2e.servers import chromium_path
from tests.lti.conftest import CONFIGURED
from tests.lti.test_iframe_browser import CLIENT_ID, FRAMED_ARGS, LoginCapture, course_of

pytestmark = pytest.mark.e2e

SIZES = {"1280x560": (1280, 560), "360x740": (360, 740)}
PARTS = ("deliverable", "commitment", "return")
# What the learner has done before opening the page, and what is to do now.
STATES: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    "empty": (),
    "card submitted": (("submit_deliverable", CARD),),
    "committed": (("submit_deliverable", CARD), ("commit_experiment", COMMITMENT)),
    "returned": (
        ("submit_deliverable", CARD),
        ("commit_experiment", COMMITMENT),
        ("submit_return", RETURN),
    ),
}
NEXT = {"empty": "deliverable", "card submitted": "commitment", "committed": "return"}
DONE = {
    "empty": (),
    "card submitted": ("deliverable",),
    "committed": ("deliverable", "commitment"),
    "returned": PARTS,
    "carried": (),
}
READY = ".koula[data-koula-ready]"
TEMPLATE = get_template("default-koula")

# Where an element lies in the frame, and whether the point at its centre is its own (or its
# label's): an element under the sticky submit bar, or outside the frame, is not.
PLACE = """(element) => {
  const r = element.getBoundingClientRect();
  const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
  const hit = document.elementFromPoint(x, y);
  const label = element.closest("label");
  return {
    top: r.top, bottom: r.bottom, left: r.left, right: r.right,
    width: window.innerWidth, height: window.innerHeight, scrollY: window.scrollY,
    uncovered: Boolean(hit) && (hit === element || element.contains(hit)
      || (label !== null && label.contains(hit))),
  };
}"""


@pytest.fixture(scope="module")
def tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTool]:
    """The tool on SQLite only: what is checked here is the page, not the database."""
    running = RunningTool(tmp_path_factory.mktemp("tool-next-step"), backend="sqlite")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def chromium(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), args=FRAMED_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def course(tool: RunningTool) -> Iterator[tuple[Platform, Any]]:
    with course_of(tool) as (platform, site):
        yield platform, site


def frame_page(width: int, height: int, src: str) -> str:
    """A course page holding only the tool's frame, of exactly ``width`` × ``height``."""
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Course</title>'
        "<style>html,body{margin:0;overflow:hidden}"
        f"iframe{{display:block;width:{width}px;height:{height}px;border:0}}</style>"
        f'<iframe name="koula" id="koula" title="Koula" src="{src}"></iframe>'
    )


@contextmanager
def framed(chromium: Any, course: tuple[Platform, Any], size: str, user: str, **launch: Any):
    """Open the learner page for ``user`` in a frame of ``size``; yield (page, frame)."""
    platform, site = course
    width, height = SIZES[size]
    capture = LoginCapture()
    platform.launch(capture, client_id=CLIENT_ID, custom=CONFIGURED, user=user, **launch)  # type: ignore[arg-type]
    site._course = lambda: frame_page(width, height, capture.url)  # this test's course page
    context = chromium.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto(f"{site.url}/course")
        page.frame_locator("#koula").locator(READY).wait_for()
        frame = page.frame(name="koula")
        assert frame is not None
        yield page, frame
    finally:
        context.close()


def make_state(course: tuple[Platform, Any], user: str, actions, **launch: Any) -> None:
    """Launch as ``user`` over HTTP and take ``actions`` (the learner API), as the page would."""
    platform, _ = course
    session = browser_session()
    response = platform.launch(session, client_id=CLIENT_ID, custom=CONFIGURED, user=user, **launch)
    if "koula-context" not in response.text:  # the course site's /auth: a form that posts itself
        response = submit_auto_form(session, response)
    assert response.status_code == 200, response.text[:2000]
    context = context_of(response)
    for action, values in actions:
        answer = act(context, action, {"values": values})
        assert answer.status_code == 200, answer.text


def in_view(frame: Any, selector: str) -> dict[str, Any]:
    place = frame.locator(selector).first.evaluate(PLACE)
    inside = (
        place["top"] >= 0
        and place["bottom"] <= place["height"]
        and place["left"] >= 0
        and place["right"] <= place["width"]
    )
    assert place["scrollY"] == 0, place
    assert inside and place["uncovered"], f"{selector} is not in view: {place}"
    return place


def next_step(form: str) -> tuple[str, str]:
    """The selectors of a form's first question (its first control) and its submit button."""
    first = f"{form} .koula-field :is(input, textarea)"
    return first, f"{form} button[type=submit]"


def assert_done_parts_are_folded(frame: Any, done: tuple[str, ...]) -> None:
    for part in done:
        form = frame.locator(f'form[data-part="{part}"]')
        assert form.locator(".koula-fold").get_attribute("aria-expanded") == "false", part
        fields = form.locator(".koula-field")
        assert fields.count() > 0
        for index in range(fields.count()):
            assert not fields.nth(index).is_visible(), part


def report_back(form: Any) -> None:
    """Fill in a return form (it was carried out, twice, confidence 4) and submit it."""
    form.locator('[data-field="applied"] input').first.check()
    form.locator('[name="what_happened"]').fill("We did it twice.")
    form.locator('[data-field="confidence"] input[value="4"]').check()
    form.locator("button[type=submit]").click()


def tab_to_first_question(page: Any, frame: Any) -> str:
    """Press Tab from the top of the page until a question has focus; return its form's part
    (``carried`` for an earlier session's form)."""
    frame.locator(".koula-title").click()  # the top of the page: Tab goes on from here
    for _ in range(20):
        page.keyboard.press("Tab")
        found = frame.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || !el.closest(".koula-field")) return null;
              const form = el.closest("form");
              return form.dataset.session ? "carried" : form.dataset.part;
            }"""
        )
        if found:
            return str(found)
    raise AssertionError("no question reached with Tab")


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("state", list(STATES))
def test_the_next_step_is_in_view_without_scrolling_and_the_parts_done_are_folded(
    chromium, course, size, state, language
):
    user = f"next-{state.replace(' ', '-')}-{size}-{language}"
    make_state(course, user, STATES[state], locale=language)

    with framed(chromium, course, size, user, locale=language) as (page, frame):
        assert frame.evaluate("[innerWidth, innerHeight]") == list(SIZES[size])
        in_view(frame, ".koula-title")
        if state in NEXT:
            form = f'form[data-part="{NEXT[state]}"]'
            for selector in next_step(form):
                in_view(frame, selector)
        else:
            in_view(frame, '[data-role="all-done"] h3')
            in_view(frame, '[data-role="done-result"]')
        if state == "committed":
            in_view(frame, 'form[data-part="return"] [data-role="due"] time')
        assert_done_parts_are_folded(frame, DONE[state])
        agenda = frame.locator('[data-role="agenda"] .koula-region')
        assert agenda.is_visible() is (state == "empty")
        shot(page, f"next-step-{state.replace(' ', '-')}-{size}-{language}")
        if state in NEXT:  # last: the focus may scroll the page
            assert tab_to_first_question(page, frame) == NEXT[state]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("size", list(SIZES))
def test_an_earlier_sessions_open_experiment_is_the_first_thing_to_do(
    chromium, course, size, language
):
    user = f"next-carried-{size}-{language}"
    series = {"context_id": "course-next-step", "locale": language}
    make_state(
        course,
        user,
        STATES["committed"],
        resource_link_id="next-step-1",
        **series,
    )

    with framed(chromium, course, size, user, resource_link_id="next-step-2", **series) as (
        page,
        frame,
    ):
        for selector in next_step("form.koula-carried-form"):
            in_view(frame, selector)
        assert tab_to_first_question(page, frame) == "carried"
        shot(page, f"next-step-carried-{size}-{language}")

        # Once it is in, its questions fold away and the page's own next step has focus.
        carried = frame.locator("form.koula-carried-form")
        report_back(carried)
        frame.locator("form.koula-carried-form[data-done]").wait_for(state="attached")
        assert not carried.locator(".koula-field").first.is_visible()
        focused = "document.activeElement.closest('form').dataset.part"
        frame.wait_for_function(f"() => {focused} === 'deliverable'")


# Tab through the open form: the question that has focus is never under the sticky submit bar.
TAB_THROUGH = """() => {
  const el = document.activeElement;
  const field = el && el.closest(".koula-field");
  if (!field) return null;
  const r = el.getBoundingClientRect();
  const bar = el.closest("form").querySelector(".koula-actions").getBoundingClientRect();
  return {key: field.dataset.field, top: r.top, bottom: r.bottom, bar: bar.top,
          height: window.innerHeight};
}"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("state", ["empty", "committed"])
def test_tabbing_through_the_open_form_keeps_each_question_above_the_submit_bar(
    chromium, course, size, state
):
    user = f"next-tab-{state}-{size}"
    make_state(course, user, STATES[state])

    with framed(chromium, course, size, user) as (page, frame):
        frame.locator(".koula-title").click()
        seen = []
        for _ in range(40):
            page.keyboard.press("Tab")
            place = frame.evaluate(TAB_THROUGH)
            if place is None:
                if seen:
                    break
                continue
            seen.append(place["key"])
            # Its top line at least shows between the top of the frame and the bar.
            assert place["top"] >= 0 and place["top"] + 16 <= place["bar"], place
        part = NEXT[state]
        expected = [f.key for f in TEMPLATE.fields_of(Part(part))]
        assert seen == expected


def test_after_each_submit_the_part_folds_and_the_next_one_opens_with_focus_on_it(chromium, course):
    user = "next-flow"
    make_state(course, user, ())

    with framed(chromium, course, "1280x560", user) as (_page, frame):
        card = frame.locator('form[data-part="deliverable"]')
        commitment = frame.locator('form[data-part="commitment"]')
        card.locator('[name="practice_name"]').fill("Pair review")
        card.locator("button[type=submit]").click()
        card.locator('[data-field="problem"] .koula-error').wait_for()  # refused: still open
        assert card.locator('[name="practice_name"]').input_value() == "Pair review"
        card.locator('[name="problem"]').fill("Reviews come too late.")
        card.locator('[name="steps"]').fill("Pick a pair\nReview within a day")
        card.locator("button[type=submit]").click()

        commitment.locator('[name="action"]').wait_for(state="visible")
        fold = commitment.locator(".koula-fold")
        assert fold.get_attribute("aria-expanded") == "true"
        assert frame.evaluate("document.activeElement.getAttribute('aria-controls')") == (
            fold.get_attribute("aria-controls")
        )
        live = frame.locator(".koula-status")
        live.filter(has_text=re.compile("Next: Your experiment")).wait_for()
        assert_done_parts_are_folded(frame, ("deliverable",))
        assert not frame.locator('[data-role="agenda"] .koula-region').is_visible()
        assert card.locator(".koula-fold-word").inner_text() == "Edit"

        # A part done opens again for a change, and folds back once the change is in.
        card.locator(".koula-fold").click()
        card.locator('[name="practice_name"]').fill("Pair review within a day")
        card.locator("button[type=submit]").click()
        card.locator('[name="practice_name"]').wait_for(state="hidden")
        assert commitment.locator('[name="action"]').is_visible()
        assert frame.evaluate("document.activeElement.closest('form').dataset.part") == (
            "deliverable"
        )

        commitment.locator('[name="action"]').fill("Try pair review on Monday")
        commitment.locator('[name="success_signal"]').fill("Two reviews in a day")
        commitment.locator('[data-field="confidence"] input[value="3"]').check()
        commitment.locator("button[type=submit]").click()
        returned = frame.locator('form[data-part="return"]')
        returned.locator('[data-role="due"]').wait_for(state="visible")
        assert "Try pair review on Monday" in returned.locator('[data-role="what"]').inner_text()

        report_back(returned)
        done = frame.locator('[data-role="all-done"]')
        done.wait_for(state="visible")
        assert frame.evaluate("document.activeElement.closest('[data-role]').dataset.role") == (
            "all-done"
        )
        assert "Yes" in done.locator('[data-role="done-answer"]').inner_text()
        assert_done_parts_are_folded(frame, PARTS)


def test_answers_typed_in_a_folded_part_and_not_sent_open_it_again(chromium, course):
    user = "next-restored"
    make_state(course, user, ())
    with framed(chromium, course, "1280x560", user) as (page, frame):
        commitment = frame.locator('form[data-part="commitment"]')
        commitment.locator(".koula-fold").click()  # not the next step, but open to a learner
        page.route(re.compile(r"/save_draft$"), lambda route: route.abort())  # network fails
        commitment.locator('[name="action"]').fill("Typed while offline")
        commitment.locator('[name="action"]').blur()
        frame.wait_for_function(
            "() => Object.values(sessionStorage).some((v) => v.includes('Typed while offline'))"
        )
        page.unroute(re.compile(r"/save_draft$"))
        platform, _ = course
        capture = LoginCapture()
        platform.launch(capture, client_id=CLIENT_ID, custom=CONFIGURED, user=user)  # type: ignore[arg-type]
        frame.goto(capture.url)  # the learner opens the activity again, in the same tab
        frame.locator(READY).wait_for()
        restored = frame.locator('form[data-part="commitment"]')
        assert restored.locator('[name="action"]').input_value() == "Typed while offline"
        assert restored.locator('[data-role="restored"]').is_visible()
        assert restored.locator(".koula-fold").get_attribute("aria-expanded") == "true"


def shot(page: Any, name: str) -> None:
    """Keep a picture of what the frame showed, for the docs and for a person to look at."""
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / f"{name}.png"))


def test_after_the_return_the_commitment_opens_read_only_and_all_done_promises_no_change_to_it(
    chromium, course
):
    user = "next-final"
    make_state(course, user, STATES["committed"])

    with framed(chromium, course, "1280x560", user) as (_page, frame):
        returned = frame.locator('form[data-part="return"]')
        report_back(returned)
        done = frame.locator('[data-role="all-done"]')
        done.wait_for(state="visible")

        commitment = frame.locator('form[data-part="commitment"]')
        card = frame.locator('form[data-part="deliverable"]')
        assert commitment.locator(".koula-fold-word").inner_text() == "Show"
        assert card.locator(".koula-fold-word").inner_text() == "Edit"
        assert returned.locator(".koula-fold-word").inner_text() == "Edit"
        line = done.locator('[data-role="done-line"]').inner_text()
        assert "open a part to change them" not in line and "marked Edit" in line
        commitment.locator(".koula-fold").click()
        assert commitment.locator('[name="action"]').is_visible()
        assert commitment.locator('[name="action"]').is_disabled()
        assert not commitment.locator("button[type=submit]").is_visible()
        assert commitment.locator(".koula-fold-word").inner_text() == "Hide"
        card.locator(".koula-fold").click()
        assert card.locator('[name="practice_name"]').is_enabled()
        assert card.locator("button[type=submit]").is_visible()


@pytest.mark.parametrize("size", list(SIZES))
def test_a_form_error_is_brought_into_view_above_the_submit_bar(chromium, course, size):
    user = f"next-form-error-{size}"
    make_state(course, user, ())

    with framed(chromium, course, size, user) as (page, frame):
        page.route(
            re.compile(r"/submit_deliverable$"),
            lambda route: route.fulfill(status=500, body="{}", content_type="application/json"),
        )
        card = frame.locator('form[data-part="deliverable"]')
        card.locator('[name="practice_name"]').fill("Pair review")
        card.locator('[name="problem"]').fill("Reviews come too late.")
        card.locator('[name="steps"]').fill("Pick a pair\nReview within a day")
        card.locator("button[type=submit]").click()
        error = card.locator('[data-role="form-error"]')
        error.filter(has_text="500").wait_for()

        assert error.get_attribute("role") == "alert"
        place = error.evaluate(PLACE)
        bar = card.locator(".koula-actions").evaluate(PLACE)
        assert place["top"] >= 0 and place["bottom"] <= bar["top"] + 1, (place, bar)
        assert place["uncovered"], place
        assert frame.evaluate("document.activeElement.type") == "submit"


def test_an_earlier_sessions_due_date_line_goes_once_its_return_is_in(chromium, course):
    user = "next-carried-due"
    series = {"context_id": "course-next-step-due"}
    make_state(course, user, STATES["committed"], resource_link_id="next-due-1", **series)

    with framed(chromium, course, "1280x560", user, resource_link_id="next-due-2", **series) as (
        _page,
        frame,
    ):
        section = frame.locator('[data-role="carried"]')
        assert "due" in section.locator("li").first.inner_text()
        carried = frame.locator("form.koula-carried-form")
        report_back(carried)
        frame.locator("form.koula-carried-form[data-done]").wait_for(state="attached")

        assert not section.locator('[data-role="carried-line"]').is_visible()
        assert not section.get_by_role(
            "heading", name="Report back on your experiments"
        ).is_visible()
        assert "due" not in section.inner_text()
        assert carried.locator('[data-role="status"]').is_visible()
