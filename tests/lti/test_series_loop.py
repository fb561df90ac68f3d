"""The loop across sessions over HTTP: a learner commits in a course's first Koula activity,
opens the second, sees the experiment there with its return form, reports back from the
second page, and the FIRST activity's line item gets the completed score at the platform."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
import requests

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of, wait_for
from tests.e2e.servers import CHROMIUM_ARGS, ROOT, chromium_path
from tests.lti.conftest import CLIENT_ID, CONFIGURED


def launch(platform, browser, resource_link_id: str, user: str):
    response = platform.launch(
        browser,
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        resource_link_id=resource_link_id,
        context_id="course-series",
        user=user,
    )
    assert response.status_code == 200, response.text[:2000]
    return response


def completed_on(platform, lineitem_id: str, user: str) -> list[dict]:
    return [
        score
        for score in platform.scores(lineitem_id)
        if score["body"]["userId"] == user and score["body"]["activityProgress"] == "Completed"
    ]


def test_a_return_from_the_next_session_reaches_the_first_sessions_line_item(platform, browser):
    first = context_of(launch(platform, browser, "session-1", "learner-s"))
    for action, values in [("submit_deliverable", CARD), ("commit_experiment", COMMITMENT)]:
        assert act(first, action, {"values": values}).status_code == 200
    first_id = first["api"].rsplit("/", 1)[1]
    first_line = wait_for(lambda: platform.scores())[0]["lineitem_id"]

    page = launch(platform, browser, "session-2", "learner-s")
    second = context_of(page)
    form = re.search(r'<form class="koula-form koula-carried-form"[^>]*>', page.text)
    assert form and f'data-session="{first_id}"' in form.group(0)
    assert COMMITMENT["action"] in page.text

    draft = act(
        second,
        "save_draft",
        {"part": "return", "values": {"what_happened": "Half"}, "session": first_id},
    )
    assert draft.status_code == 200, draft.text
    assert draft.json()["return"]["status"] == "draft"
    answer = act(second, "submit_return", {"values": RETURN, "session": first_id})
    assert answer.status_code == 200, answer.text
    assert answer.json()["session"] == first_id
    assert answer.json()["progress"]["activity"] == "Completed"

    (done,) = wait_for(lambda: completed_on(platform, first_line, "learner-s"))
    assert done["body"]["scoreGiven"] == done["body"]["scoreMaximum"]
    assert platform.gradebook(first_line)["learner-s"]["activityProgress"] == "Completed"
    assert {s["lineitem_id"] for s in platform.scores() if s["body"]["userId"] == "learner-s"} == {
        first_line
    }
    again = launch(platform, browser, "session-2", "learner-s")
    assert "koula-carried-form" not in again.text
    assert context_of(again)["state"]["progress"]["activity"] == "Initialized"


def test_the_next_session_refuses_a_later_session_and_a_closed_one(platform, browser):
    first = context_of(launch(platform, browser, "session-1", "learner-t"))
    second = context_of(launch(platform, browser, "session-2", "learner-t"))
    first_id, second_id = (c["api"].rsplit("/", 1)[1] for c in (first, second))
    closed = act(second, "submit_return", {"values": RETURN, "session": first_id})
    assert closed.status_code == 409
    later = act(first, "submit_return", {"values": RETURN, "session": second_id})
    assert later.status_code == 400
    assert list(later.json()["errors"]) == ["session"]


def test_add_to_my_calendar_downloads_the_experiment_after_committing(platform, browser):
    page = launch(platform, browser, "session-1", "learner-c")
    link = re.search(r'<a href="([^"]+/lti/calendar/[^"]+)" download>', page.text).group(1)
    assert requests.get(link, timeout=10).status_code == 409
    context = context_of(page)
    for action, values in [("submit_deliverable", CARD), ("commit_experiment", COMMITMENT)]:
        assert act(context, action, {"values": values}).status_code == 200
    answer = requests.get(link, timeout=10)  # no cookie, no header: the link alone
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="koula-experiment.ics"' in answer.headers["Content-Disposition"]
    assert "BEGIN:VEVENT" in answer.text and "BEGIN:VALARM" in answer.text


class LoginCapture:
    """Stands in for the browser in ``Platform.launch``: keeps the login initiation URL, which
    the real browser then opens."""

    url = ""

    def get(self, url: str, **kwargs):
        self.url = url
        return SimpleNamespace(is_redirect=False, ok=False, url=url)


@pytest.fixture
def chromium_page(playwright):
    """A page of a headless Chromium (Debian's), closed at the end."""
    chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    page = chromium.new_page()
    page.set_default_timeout(20_000)
    yield page
    chromium.close()


def open_later_session(platform, browser, page, user: str):
    """``user`` commits in the first session over the API, then opens the second in ``page``;
    return the first session's id and its carried return form."""
    first = context_of(launch(platform, browser, "session-1", user))
    for action, values in [("submit_deliverable", CARD), ("commit_experiment", COMMITMENT)]:
        assert act(first, action, {"values": values}).status_code == 200
    launch_in(page, platform, "session-2", user)
    first_id = first["api"].rsplit("/", 1)[1]
    return first_id, page.locator(f'form.koula-carried-form[data-session="{first_id}"]')


def launch_in(page, platform, resource_link_id: str, user: str) -> None:
    """Launch the activity ``resource_link_id`` for ``user`` in the browser's ``page``."""
    capture = LoginCapture()
    platform.launch(
        capture,
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        resource_link_id=resource_link_id,
        context_id="course-series",
        user=user,
    )
    page.goto(capture.url)
    page.locator(".koula[data-koula-ready]").wait_for()


@pytest.mark.e2e
def test_in_a_browser_the_carried_return_form_reports_back_on_the_first_session(
    platform, browser, chromium_page
):
    page = chromium_page
    first_id, form = open_later_session(platform, browser, page, "learner-b")
    with page.expect_response(re.compile(r"/save_draft$")) as draft:
        form.locator('[name="what_happened"]').fill(RETURN["what_happened"])
        form.locator('[name="what_happened"]').blur()
    assert draft.value.status == 200
    assert json.loads(draft.value.request.post_data)["session"] == first_id
    form.locator('[data-field="applied"] input[value="partly"]').check()
    form.locator('[data-field="confidence"] input[value="4"]').check()
    with page.expect_response(re.compile(r"/submit_return$")) as submitted:
        form.locator("button[type=submit]").click()
    assert submitted.value.status == 200, submitted.value.text()
    assert json.loads(submitted.value.request.post_data)["session"] == first_id
    page.locator("form.koula-carried-form[data-done]").wait_for()
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.locator('[data-role="carried"]').screenshot(path=str(artifacts / "lti-carried-return.png"))
    assert "Reported back" in form.locator('[data-role="status"]').inner_text()
    own = page.locator('form[data-part="return"]:not([data-session])')
    assert own.locator('[data-role="lock"]').is_visible()  # this page's own loop untouched
    first_line = platform.scores()[0]["lineitem_id"]
    wait_for(lambda: completed_on(platform, first_line, "learner-b"))


@pytest.mark.e2e
def test_in_a_browser_a_carried_return_refused_or_unsent_keeps_what_was_typed(
    platform, browser, chromium_page
):
    page = chromium_page
    first_id, form = open_later_session(platform, browser, page, "learner-k")
    with page.expect_response(re.compile(r"/submit_return$")) as refused:
        form.locator('[name="what_happened"]').fill("Typed, then refused")
        form.locator("button[type=submit]").click()
    assert refused.value.status == 400
    applied = form.locator('[data-field="applied"] .koula-error')
    applied.wait_for()
    assert applied.inner_text()  # the message stands by its question
    page.route(re.compile(r"/save_draft$"), lambda route: route.abort())  # the network fails
    form.locator('[name="what_happened"]').fill("Typed while offline")
    form.locator('[name="what_happened"]').blur()
    page.wait_for_function(
        "() => Object.entries(sessionStorage).some(([key, value]) =>"
        f" key.endsWith(':{first_id}:return') && value.includes('Typed while offline'))"
    )
    page.unroute(re.compile(r"/save_draft$"))
    launch_in(page, platform, "session-2", "learner-k")  # the learner opens it again
    restored = page.locator(f'form.koula-carried-form[data-session="{first_id}"]')
    assert restored.locator('[name="what_happened"]').input_value() == "Typed while offline"
    assert restored.locator('[data-role="restored"]').is_visible()


@pytest.mark.e2e
def test_in_a_browser_a_return_already_made_elsewhere_is_said_and_the_text_kept(
    platform, browser, chromium_page
):
    page = chromium_page
    first_id, form = open_later_session(platform, browser, page, "learner-e")
    elsewhere = context_of(launch(platform, browser, "session-1", "learner-e"))
    assert act(elsewhere, "submit_return", {"values": RETURN}).status_code == 200
    form.locator('[name="what_happened"]').fill("Typed on the later page")
    form.locator('[data-field="applied"] input[value="yes"]').check()
    form.locator('[data-field="confidence"] input[value="4"]').check()
    with page.expect_response(re.compile(r"/submit_return$")) as refused:
        form.locator("button[type=submit]").click()
    assert refused.value.status == 409
    # The page writes the error and keeps the draft once it has read the answer: wait for both.
    error = form.locator('[data-role="form-error"]').filter(has_text="already reported back")
    error.wait_for()
    key = f"koula:a{page_uid(page)}:{first_id}:return"
    page.wait_for_function(
        "([key, text]) => (sessionStorage.getItem(key) || '').includes(text)",
        arg=[key, "Typed on the later page"],
    )


def page_uid(page) -> str:
    return page.locator(".koula").get_attribute("data-koula-uid")[1:]
