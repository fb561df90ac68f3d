"""The learner page drawn once for learners in the same place (koula_ui/stencil.py): each
learner's page reads exactly as if drawn for them alone, and carries their strings only."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koula.template_format import parse_template_text
from koula_ui import render as render_module
from koula_ui.render import Around, render_activity, render_activity_page
from koula_ui.stencil import Stencils
from tests.ui.test_render import SAMPLE, state

TEMPLATE = parse_template_text(SAMPLE, source="tests/ui/test_stencil.py")
BASE = "https://koula.example.test"


def arguments_for(
    token: str, state_: dict[str, Any] | None, links: dict[str, Any]
) -> dict[str, Any]:
    calendar = links.get("calendar", f"{BASE}/lti/calendar/{token}-cal")
    return {
        "template": TEMPLATE,
        "state": state_ or state(),
        "language": "en",
        "context": {"api": f"{BASE}/lti/api/1", "token": token, "calendar": calendar},
        "uid": "a1",
        "context_id": "koula-context",
        "auto_mount": True,
        "calendar_url": calendar,
        "data_url": links.get("data", f"{BASE}/lti/my-data/{token}-data"),
        "privacy_url": f"{BASE}/lti/privacy?lang=en",
        "erased_on": None,
    }


def learner_page(token: str, state_: dict[str, Any] | None = None, **links: Any) -> str:
    """The page of the learner holding ``token`` and ``links`` (their calendar and data)."""
    return render_activity(**arguments_for(token, state_, links))


def drawn_alone(token: str, state_: dict[str, Any] | None = None, **links: Any) -> str:
    """The same page, drawn for this learner only (nothing kept, no marks)."""
    arguments = arguments_for(token, state_, links) | {"preview": False, "carried": ()}
    return render_module._draw_activity(**arguments, carried_forms=False)


def test_learners_in_the_same_place_get_their_own_strings_in_the_page_drawn_once():
    ana, ben = learner_page("ana-token:1"), learner_page("ben-token:2")
    assert ana == drawn_alone("ana-token:1") and ben == drawn_alone("ben-token:2")
    assert "ana-token" not in ben and "ben-token" not in ana
    assert "koula-stencil" not in ana + ben


def test_a_learners_answers_are_part_of_what_is_kept_apart():
    answered = state(deliverable={"status": "draft", "values": {"title": "Ana's review"}})
    learner_page("ana-token", answered)
    ben = learner_page("ben-token")
    assert "Ana" not in ben and ben == drawn_alone("ben-token")


def test_a_string_json_or_html_would_escape_is_drawn_for_itself():
    odd = 'to"k&en<\u00e9>'
    page = learner_page(odd, calendar=f"{BASE}/c?a=1&b=2")
    assert page == drawn_alone(odd, calendar=f"{BASE}/c?a=1&b=2")
    assert odd not in page  # escaped, as drawing it does


def test_a_missing_link_is_not_drawn_from_a_page_that_had_it():
    with_link = learner_page("ana-token")
    without = learner_page("ben-token", calendar=None)
    assert "lti/calendar" in with_link and "lti/calendar" not in without
    assert without == drawn_alone("ben-token", calendar=None)


PLAIN_TEXT = st.text(alphabet="abcXYZ019-_.:/=+%~", min_size=1, max_size=40)
ANY_TEXT = st.text(alphabet="ab &<>\"'\\é\n/:=%", max_size=30) | st.text(max_size=30)


@settings(max_examples=60, deadline=None)
@given(token=st.one_of(PLAIN_TEXT, ANY_TEXT), data=st.one_of(PLAIN_TEXT, ANY_TEXT), title=ANY_TEXT)
def test_any_learners_page_reads_as_drawn_alone(token, data, title):
    answered = state(deliverable={"status": "draft", "values": {"title": title}})
    learner_page("someone-else", answered, data="other")  # another learner's page is kept
    page = learner_page(token, answered, data=data)
    assert page == drawn_alone(token, answered, data=data)


def page_around(title: str) -> Around:
    return Around(
        ("page", title), lambda fragment: f"<title>{title}</title><main>{fragment}</main>"
    )


def whole_page(token: str, title: str = "T", state_: dict[str, Any] | None = None, **links: Any):
    return render_activity_page(page_around(title), **arguments_for(token, state_, links))


def test_the_whole_page_around_the_activity_is_drawn_once_and_reads_as_drawn_alone():
    ana, ben = whole_page("ana-token:1"), whole_page("ben-token:2")
    assert ana == f"<title>T</title><main>{drawn_alone('ana-token:1')}</main>".encode()
    assert ben == f"<title>T</title><main>{drawn_alone('ben-token:2')}</main>".encode()
    assert b"koula-stencil" not in ana + ben


def test_what_the_page_around_holds_is_part_of_what_is_kept_apart():
    whole_page("ana-token", title="First session")
    page = whole_page("ben-token", title="Second session")
    assert page == f"<title>Second session</title><main>{drawn_alone('ben-token')}</main>".encode()
    assert whole_page("ana-token").startswith(b"<title>T</title>")  # the page alone is apart
    assert learner_page("ana-token") == drawn_alone("ana-token")


@settings(max_examples=40, deadline=None)
@given(token=st.one_of(PLAIN_TEXT, ANY_TEXT), title=ANY_TEXT)
def test_any_whole_page_reads_as_drawn_alone_in_utf8(token, title):
    answered = state(deliverable={"status": "draft", "values": {"title": title}})
    whole_page("someone-else", "Séance", answered)
    page = whole_page(token, "Séance", answered)
    assert page == f"<title>Séance</title><main>{drawn_alone(token, answered)}</main>".encode()


def test_the_whole_page_takes_only_the_activitys_keywords():
    with pytest.raises(TypeError, match="unexpected"):
        render_activity_page(page_around("T"), **arguments_for("t", None, {}), colour="red")
    without_state = {k: v for k, v in arguments_for("t", None, {}).items() if k != "state"}
    with pytest.raises(TypeError, match="missing keywords \\['state'\\]"):
        render_activity_page(page_around("T"), **without_state)


def test_the_kept_pages_are_bounded_and_the_oldest_goes_first():
    stencils = Stencils(2)
    drawn: list[str] = []

    def draw(key: str):
        def draw_with(marks):
            drawn.append(key)
            return f"{key}:{marks[0]}"

        return draw_with

    for key in ("a", "b", "a", "c", "a", "b"):
        assert stencils.draw(key, ["x"], draw(key)) == f"{key}:x"
    assert drawn == ["a", "b", "c", "b"]  # b was the oldest when c came
