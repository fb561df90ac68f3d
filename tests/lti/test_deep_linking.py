"""Staff add a Koula activity from a course with deep linking; learners then launch it."""

from __future__ import annotations

import datetime as dt

import jwt
import requests

from koula_demo.learner_calls import context_of
from koula_demo.lms import browser_session
from koula_demo.lms.browser import submit_auto_form
from koula_demo.lms.constants import DEEP_LINKING_REQUEST, ROLE_INSTRUCTOR
from tests.lti.conftest import CLIENT_ID
from tests.lti.forms import submit_form

DL_CONTENT = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


def picker(platform, session, **kwargs):
    page = platform.launch(
        session,
        client_id=CLIENT_ID,
        message_type=DEEP_LINKING_REQUEST,
        roles=[ROLE_INSTRUCTOR],
        resource_link_id=None,
        **kwargs,
    )
    assert page.status_code == 200, page.text[:1000]
    return page


def test_pressing_enter_in_the_picker_adds_the_default_activity(platform):
    session = browser_session()
    answer = submit_form(session, picker(platform, session))
    assert answer.status_code == 200, answer.text[:1000]
    assert 'name="JWT"' in answer.text
    placed = submit_auto_form(session, answer)
    assert placed.status_code < 400, placed.text[:500]
    (item,) = platform.deep_link_items
    assert item["type"] == "ltiResourceLink"
    assert item["custom"]["koula_template"] == "default-koula"
    assert item["lineItem"]["scoreMaximum"] == 100
    assert item["title"].startswith("Default Koula")


def test_the_response_is_signed_by_the_tool_for_the_platform(platform, tool):
    session = browser_session()
    answer = submit_form(
        session,
        picker(platform, session),
        title="Our Koula",
        template_id="after-action-review",
        return_window_days="21",
        deliverable_weight="2",
        commitment_weight="1",
        return_weight="3",
        score_maximum="20",
    )
    token = answer.text.split('name="JWT" value="')[1].split('"')[0]
    keys = jwt.PyJWKClient(f"{tool.url}/lti/jwks.json")
    claims = jwt.decode(
        token,
        keys.get_signing_key_from_jwt(token).key,
        algorithms=["RS256"],
        audience=platform.issuer,
    )
    assert claims["iss"] == CLIENT_ID
    (item,) = claims[DL_CONTENT]
    assert item["custom"] == {
        "koula_template": "after-action-review",
        "koula_score_maximum": "20",
        "koula_return_window_days": "21",
        "koula_weights": "2,1,3",
    }
    assert item["lineItem"]["label"] == "Our Koula"


def test_a_placed_activity_launches_with_its_settings(platform):
    session = browser_session()
    answer = submit_form(
        session,
        picker(platform, session),
        template_id="troika-action-learning",
        return_window_days="30",
    )
    submit_auto_form(session, answer)
    placement = platform.placements[-1]
    page = platform.launch(
        browser_session(), client_id=CLIENT_ID, resource_link_id=placement["resource_link_id"]
    )
    context = context_of(page)
    assert "Troika" in page.text
    commit = {"action": "Ask one open question", "success_signal": "They answer", "confidence": 3}
    answer = requests.post(
        f"{context['api']}/commit_experiment",
        json={"values": commit},
        headers={"Authorization": f"Bearer {context['token']}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    committed = answer.json()["commitment"]
    due = dt.date.fromisoformat(committed["due_on"])
    assert (due - dt.date.fromisoformat(committed["committed_at"][:10])).days == 30


def test_invalid_settings_are_explained_in_place_and_nothing_is_sent(platform):
    session = browser_session()
    answer = submit_form(
        session, picker(platform, session), return_window_days="0", score_maximum="-3"
    )
    assert answer.status_code == 200
    assert 'name="JWT"' not in answer.text
    assert answer.text.count('aria-invalid="true"') == 2
    assert platform.deep_link_items == []


def test_preview_shows_the_activity_and_keeps_the_form_ready_to_submit(platform):
    session = browser_session()
    preview = submit_form(
        session, picker(platform, session), button=1, template_id="after-action-review"
    )
    assert "data-koula-preview" in preview.text or "Preview" in preview.text
    assert "After Action Review" in preview.text
    answer = submit_form(session, preview)
    assert 'name="JWT"' in answer.text


def test_learners_cannot_open_the_picker(platform):
    response = platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        message_type=DEEP_LINKING_REQUEST,
        resource_link_id=None,
    )
    assert response.status_code == 403
    assert "staff" in response.text
