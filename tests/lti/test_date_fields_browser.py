"""Date fields read in the page's language whatever the browser's (issue 12, point 4).

The learner page as the LTI tool serves it, in a real headless Chromium whose locale is
``en-US`` (its own date field would read mm/dd/yyyy). The commitment's date is a text field
in the page's pattern (jj/mm/aaaa in French, dd/mm/yyyy in English): what the learner types
day first goes to the server as YYYY-MM-DD (``docs/learner-api.md``) and comes back day first
on the next launch; text that is no date is refused by its question in the page's language,
the typed text kept, and nothing is sent.
"""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from typing import Any

import pytest

from koula_demo.learner_calls import CARD, COMMITMENT
from koula_demo.lms import Platform
from tests.lti.conftest import CONFIGURED
from tests.lti.test_iframe_browser import CLIENT_ID, LoginCapture
from tests.lti.test_next_step_browser import (  # the tool, its course, the browser
    READY,
    chromium,  # noqa: F401
    course,  # noqa: F401
    frame_page,
    make_state,
    tool,  # noqa: F401
)

pytestmark = pytest.mark.e2e

COMMITMENT_FORM = 'form[data-part="commitment"]'
DATE = f'{COMMITMENT_FORM} [name="by_date"]'


@contextmanager
def learner_page(browser: Any, lms: tuple[Platform, Any], user: str, language: str):
    """Open the page of ``user`` in ``language`` in an en-US browser; yield (page, frame)."""
    platform, site = lms
    capture = LoginCapture()
    platform.launch(capture, client_id=CLIENT_ID, custom=CONFIGURED, user=user, locale=language)  # type: ignore[arg-type]
    site._course = lambda: frame_page(1280, 900, capture.url)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(20_000)
    with context:  # closed at the end
        page = context.new_page()
        page.goto(f"{site.url}/course")
        page.frame_locator("#koula").locator(READY).wait_for()
        yield page, page.frame(name="koula")


def fill_commitment(frame: Any, date: str) -> None:
    """Answer the commitment's questions (COMMITMENT) and type ``date`` in its date field."""
    form = frame.locator(COMMITMENT_FORM)
    form.locator('[name="action"]').fill(COMMITMENT["action"])
    form.locator('[name="success_signal"]').fill(COMMITMENT["success_signal"])
    form.locator(f'[data-field="confidence"] input[value="{COMMITMENT["confidence"]}"]').check()
    frame.locator(DATE).fill(date)


def error_of(frame: Any) -> Any:
    return frame.locator(f'{COMMITMENT_FORM} [data-field="by_date"] .koula-error')


@pytest.mark.parametrize(
    ("language", "pattern", "hint"),
    [
        ("fr", "jj/mm/aaaa", "Format : jj/mm/aaaa, par exemple 24/12/2026"),
        ("en", "dd/mm/yyyy", "Format: dd/mm/yyyy, for example 24/12/2026"),
    ],
)
def test_the_date_field_says_the_pages_pattern_in_an_english_browser(
    chromium,  # noqa: F811 - the fixtures of test_next_step_browser, imported above
    course,  # noqa: F811
    language,
    pattern,
    hint,
):
    user = f"dates-pattern-{language}"
    make_state(course, user, (("submit_deliverable", CARD),), locale=language)

    with learner_page(chromium, course, user, language) as (_, frame):
        assert frame.evaluate("navigator.language") == "en-US"
        date = frame.locator(DATE)
        assert date.get_attribute("type") == "text"
        assert date.get_attribute("placeholder") == pattern
        field = frame.locator(f'{COMMITMENT_FORM} [data-field="by_date"]')
        assert hint in field.locator(".koula-help").inner_text()


def test_a_french_date_typed_day_first_is_stored_as_iso_and_shown_day_first_again(
    chromium,  # noqa: F811
    course,  # noqa: F811
):
    user = "dates-fr-stored"
    make_state(course, user, (("submit_deliverable", CARD),), locale="fr")

    with learner_page(chromium, course, user, "fr") as (page, frame):
        fill_commitment(frame, "24/12/2026")
        written = frame.locator(f'{COMMITMENT_FORM} [data-role="date-text"]')
        assert written.inner_text() == "24 décembre 2026"
        with page.expect_response(re.compile(r"/commit_experiment$")) as answered:
            frame.locator(f"{COMMITMENT_FORM} button[type=submit]").click()
        assert answered.value.status == 200, answered.value.text()
        assert json.loads(answered.value.request.post_data)["values"]["by_date"] == "2026-12-24"
        assert answered.value.json()["commitment"]["values"]["by_date"] == "2026-12-24"

    with learner_page(chromium, course, user, "fr") as (_, frame):
        assert frame.locator(DATE).input_value() == "24/12/2026"
        written = frame.locator(f'{COMMITMENT_FORM} [data-role="date-text"]')
        assert written.inner_text() == "24 décembre 2026"


@pytest.mark.parametrize("typed", ["31/02/2026", "abc"])
def test_text_that_is_no_date_is_refused_in_french_and_kept(
    chromium,  # noqa: F811
    course,  # noqa: F811
    typed,
):
    user = f"dates-fr-bad-{typed.replace('/', '-')}"
    make_state(course, user, (("submit_deliverable", CARD),), locale="fr")
    sent: list[str] = []

    with learner_page(chromium, course, user, "fr") as (page, frame):
        page.on("request", lambda request: sent.append(request.url))
        fill_commitment(frame, typed)
        frame.locator(f"{COMMITMENT_FORM} button[type=submit]").click()

        error = error_of(frame)
        error.wait_for()
        assert error.inner_text() == (
            "Saisissez une date réelle au format jj/mm/aaaa, par exemple 24/12/2026."
        )
        assert frame.locator(DATE).get_attribute("aria-invalid") == "true"
        assert frame.locator(DATE).input_value() == typed
        assert not any(url.endswith("/commit_experiment") for url in sent)


def test_a_draft_keeps_the_date_as_iso_and_shows_it_day_first_when_restored(
    chromium,  # noqa: F811
    course,  # noqa: F811
):
    user = "dates-fr-draft"
    make_state(course, user, (("submit_deliverable", CARD),), locale="fr")

    with learner_page(chromium, course, user, "fr") as (page, frame):
        with page.expect_response(re.compile(r"/save_draft$")) as answered:
            frame.locator(DATE).fill("3.7.2026")
        assert answered.value.status == 200, answered.value.text()
        assert json.loads(answered.value.request.post_data)["values"] == {"by_date": "2026-07-03"}
        stored = frame.evaluate(
            "Object.keys(sessionStorage).map((key) => sessionStorage.getItem(key))"
        )
        assert all("3.7.2026" not in value for value in stored)

    with learner_page(chromium, course, user, "fr") as (_, frame):
        assert frame.locator(DATE).input_value() == "03/07/2026"
        written = frame.locator(f'{COMMITMENT_FORM} [data-role="date-text"]')
        assert written.inner_text() == "3 juillet 2026"
