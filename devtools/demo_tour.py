"""A walk through ``koula demo`` in a browser, step by step, as the guides tell it.

The steps are shared by the demo's browser test (tests/demo) and by
``devtools/screenshots.py``, which photographs them for docs/guides: what the guides
show is what the test checks. Each step takes a Playwright page and a ``shot(name)``
callback called at the moments worth a picture (with an element to picture only that).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from koula.library import get_template
from koula.template import FieldType, Part

Shot = Callable[..., None]  # shot(name) or shot(name, element): the page, or one element
TEMPLATE = get_template("default-koula")
LEARNER_ID = "camille"  # the sandbox's learner (koula_demo/people.py)
ANSWERS = {
    "practice_name": "Pair review within a day",
    "problem": "Reviews arrive a week late, when nobody remembers the work.",
    "steps": "Pick a pair for the week\nReview within one working day",
    "action": "Try pair review with Sam on Monday's release notes",
    "success_signal": "Two reviews done within a day",
    "what_happened": "We reviewed twice within a day; the second one caught a wrong date.",
}


def _fill(frame: Any, part: Part, only_required: bool = True) -> None:
    """Answer the part's fields as a learner would."""
    for field in TEMPLATE.fields_of(part):
        if only_required and not field.required:
            continue
        scope = f'form[data-part="{part.value}"] [data-field="{field.key}"]'
        if field.type is FieldType.RATING:
            frame.locator(f'{scope} input[value="4"]').check()
        elif field.type is FieldType.CHOICE:
            frame.locator(f'{scope} input[value="{field.choice_values()[0]}"]').check()
        else:
            text = ANSWERS.get(field.key, f"My answer to {field.key}")
            frame.locator(f"{scope} [name={field.key}]").fill(text)


def _submit(page: Any, frame: Any, part: Part, action: str) -> dict[str, Any]:
    form = frame.locator(f'form[data-part="{part.value}"]')
    with page.expect_response(re.compile(rf"/{action}$")) as answered:
        form.locator("button[type=submit]").click()
    assert answered.value.status == 200, answered.value.text()
    state: dict[str, Any] = answered.value.json()
    return state


def add_activity(page: Any, url: str, shot: Shot) -> None:
    """The instructor adds a Koula activity through the tool's picker (deep linking)."""
    page.goto(f"{url}/")
    shot("sandbox-course-empty")
    page.get_by_role("button", name="Add a Koula activity").click()
    page.locator('button[name="do"][value="save"]').wait_for()
    shot("picker")
    page.locator('button[name="do"][value="save"]').click()
    page.get_by_role("status").wait_for()
    shot("sandbox-course-added")


def open_activity(page: Any, url: str, as_whom: str) -> Any:
    """Launch the course's first activity as ``learner`` or ``instructor``; return its frame."""
    page.goto(f"{url}/")
    label = "Launch as learner" if as_whom == "learner" else "Launch as instructor"
    page.get_by_role("link", name=re.compile(label)).first.click()
    frame = page.frame_locator("#koula")
    ready = ".koula[data-koula-ready]" if as_whom == "learner" else STAFF_READY
    frame.locator(ready).first.wait_for()
    return frame


# The staff view opens on its run-sheet, its other parts behind tabs (lti/templates/staff.html).
STAFF_READY = '[role="tab"][aria-selected="true"]'
STAFF_PARTS = ("runsheet", "report", "learners", "settings", "deliveries")


def staff_part(frame: Any, part: str) -> None:
    """Show the staff view's ``part`` (its tab's panel id: ``report``, ``settings``, ...)."""
    frame.locator(f'[role="tab"][aria-controls="{part}"]').click()
    frame.locator(f"#{part}").wait_for()


def learner_completes_the_loop(page: Any, url: str, shot: Shot) -> dict[str, Any]:
    """The learner submits the card, commits to an experiment, reports back; the last state."""
    frame = open_activity(page, url, "learner")
    shot("learner-activity")
    _fill(frame, Part.DELIVERABLE)
    state = _submit(page, frame, Part.DELIVERABLE, "submit_deliverable")
    shot("learner-card-submitted")
    _fill(frame, Part.COMMITMENT)
    state = _submit(page, frame, Part.COMMITMENT, "commit_experiment")
    shot("learner-committed")
    _fill(frame, Part.RETURN)
    state = _submit(page, frame, Part.RETURN, "submit_return")
    shot("learner-returned")
    return state


def gradebook_shows(page: Any, url: str, user: str, score: str, shot: Shot) -> None:
    """Open the gradebook and wait (it polls) until ``user``'s score reads ``score``."""
    page.goto(f"{url}/gradebook")
    cell = page.locator(f'tr[data-user="{user}"] td[data-score]')
    cell.filter(has_text=score).wait_for(timeout=60_000)
    shot("gradebook")


def instructor_reads_the_report(page: Any, url: str, shot: Shot) -> Any:
    """The instructor's launch: the staff view with the report; return its frame."""
    frame = open_activity(page, url, "instructor")
    shot("instructor-staff-view")
    staff_part(frame, "report")
    # The charts, not the whole report: a picture of an element taller than the frame comes out
    # cut and shifted.
    shot("instructor-report", frame.locator(".koula-report .koula-staff-charts").first)
    return frame


def nobody(name: str, element: Any = None) -> None:
    """A ``shot`` that takes no picture (a step walked again, already photographed)."""


def a_second_session_brings_a_reminder(page: Any, url: str, shot: Shot) -> str:
    """The instructor adds the series' second session; the learner commits there without
    reporting back; the reminder pass of the due date mails them; the instructor opens the
    series report from the second session's staff view. Return the reminder's subject."""
    add_activity(page, url, nobody)
    page.goto(f"{url}/")
    page.get_by_role("link", name=re.compile("Launch as learner")).last.click()
    frame = page.frame_locator("#koula")
    frame.locator(".koula[data-koula-ready]").first.wait_for()
    _fill(frame, Part.DELIVERABLE)
    _submit(page, frame, Part.DELIVERABLE, "submit_deliverable")
    _fill(frame, Part.COMMITMENT)
    state = _submit(page, frame, Part.COMMITMENT, "commit_experiment")
    page.goto(f"{url}/mailbox")
    page.locator("#day").fill(str(state["commitment"]["due_on"]))
    page.get_by_role("button", name="Run the reminder pass").click()
    page.locator("pre[role=status]").wait_for()
    page.locator("table a").first.click()
    subject = page.get_by_role("heading", level=1).inner_text()
    shot("reminder-email", page.locator("iframe.koula"))
    page.goto(f"{url}/")
    page.get_by_role("link", name=re.compile("Launch as instructor")).last.click()
    staff = page.frame_locator("#koula")
    staff_part(staff, "report")
    opener = staff.locator('[data-koula-series] button[data-series-action="window"]')
    with page.context.expect_page() as opened:
        opener.click()
    report = opened.value
    report.locator(".koula-report").first.wait_for()
    shot("instructor-series-report", report)
    report.close()
    return subject
