"""The xAPI statements of learner actions (koula.xapi): verbs, shapes and stable ids."""

from __future__ import annotations

import datetime as dt

import pytest

from koula import (
    XAPI_VERBS,
    LearnerState,
    XapiActor,
    XapiEvent,
    XapiPlace,
    action_events,
    get_template,
    launch_event,
    perform,
    xapi_namespace,
    xapi_statement,
)

BASE = "https://koula.example.org/xapi"
ACTOR = XapiActor("https://lms.example.org", "learner-42")
PLACE = XapiPlace(
    iri_base=BASE,
    activity=f"{BASE}/activities/7",
    names={"en": "Session 1", "fr": "Séance 1"},
    course=f"{BASE}/courses/3/course-v1",
    series=f"{BASE}/series/3/course-v1",
    platform="https://lms.example.org",
)
NAMESPACE = xapi_namespace("https://koula.example.org")
CARD = {
    "practice_name": "Pair review",
    "problem": "Reviews come late",
    "steps": ["Pick a pair"],
}
COMMITMENT = {"action": "Try pair review", "success_signal": "Fewer bugs", "confidence": 2}
RETURN = {"applied": "partly", "what_happened": "We tried it twice.", "confidence": 4}


@pytest.fixture
def template():
    return get_template("default-koula")


def act(template, state: LearnerState, action: str, body, at: dt.datetime) -> LearnerState:
    outcome = perform(
        action, body, template=template, stored=state.to_data(), now=at, language="en"
    )
    assert outcome.status == 200, outcome.body
    return LearnerState.from_data(outcome.stored)


def events(template, before, action, body, at, **options):
    after = act(template, before, action, body, at)
    return after, action_events(action, before, after, template=template, at=at, **options)


def statement(event: XapiEvent, actor: XapiActor = ACTOR):
    return xapi_statement(event, actor=actor, place=PLACE, namespace=NAMESPACE)


def loop(template, now):
    state, _ = events(template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    state, _ = events(template, state, "commit_experiment", {"values": COMMITMENT}, now)
    return state


def test_the_first_card_is_submitted_and_a_later_one_revised(template, now):
    state, first = events(template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    later = now + dt.timedelta(minutes=5)
    _, second = events(template, state, "submit_deliverable", {"values": CARD}, later)
    assert [e.verb for e in first + second] == ["submitted", "revised"]
    assert statement(first[0])["verb"]["id"] == "http://activitystrea.ms/schema/1.0/submit"


def test_a_draft_sends_nothing(template, now):
    body = {"part": "deliverable", "values": {"practice_name": "Pair"}}
    assert events(template, LearnerState(), "save_draft", body, now)[1] == ()


def test_a_commitment_carries_its_due_date_and_confidence(template, now):
    state, _ = events(template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    _, (event,) = events(template, state, "commit_experiment", {"values": COMMITMENT}, now)
    result = statement(event)["result"]
    assert result["extensions"][f"{BASE}/extensions/due-on"] == "2026-12-12"
    assert result["score"] == {"raw": 2, "min": 1, "max": 5, "scaled": 0.25}
    assert statement(event)["verb"]["id"] == f"{BASE}/verbs/committed"


@pytest.mark.parametrize(("applied", "success"), [("yes", True), ("no", False), ("partly", None)])
def test_a_return_says_whether_it_was_applied(template, now, applied, success):
    body = {"values": {**RETURN, "applied": applied}}
    _, (event,) = events(template, loop(template, now), "submit_return", body, now)
    result = statement(event)["result"]
    assert result["completion"] is True
    assert result.get("success") == success
    assert result["extensions"][f"{BASE}/extensions/applied"] == applied
    assert result["score"]["scaled"] == 0.75


def test_the_return_text_is_sent_only_when_the_activity_allows_it(template, now):
    state = loop(template, now)
    _, (closed,) = events(template, state, "submit_return", {"values": RETURN}, now)
    _, (told,) = events(template, state, "submit_return", {"values": RETURN}, now, with_text=True)
    assert "response" not in statement(closed)["result"]
    assert statement(told)["result"]["response"] == "We tried it twice."


def test_sharing_and_withdrawing_a_card_are_two_verbs_and_sharing_again_none(template, now):
    state, _ = events(template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    state, shared = events(template, state, "share_card", {"shared": True}, now)
    state, again = events(template, state, "share_card", {"shared": True}, now)
    _, withdrawn = events(template, state, "share_card", {"shared": False}, now)
    assert [e.verb for e in shared + again + withdrawn] == ["shared", "unshared"]


def test_volunteering_and_withdrawing_are_sent(template, now):
    state, offered = events(template, LearnerState(), "volunteer_host", {"volunteer": True}, now)
    _, withdrawn = events(template, state, "volunteer_host", {"volunteer": False}, now)
    assert [e.verb for e in offered + withdrawn] == ["volunteered", "withdrew"]


def test_marking_cards_tells_each_card_apart(template):
    before = LearnerState(will_use=("c1",))
    after = LearnerState(will_use=("c2",))
    at = dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC)
    found = action_events("reuse_card", before, after, template=template, at=at)
    assert [(e.verb, e.key) for e in found] == [("will-use", "c2"), ("wont-use", "c1")]
    ids = {statement(e)["id"] for e in found}
    assert len(ids) == 2
    assert statement(found[0])["context"]["extensions"] == {f"{BASE}/extensions/card": "c2"}


def test_the_actor_is_an_account_unless_an_email_is_given(now):
    assert statement(launch_event(now))["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://lms.example.org", "name": "learner-42"},
    }
    emailed = XapiActor("https://lms.example.org", "learner-42", email="ana@example.org")
    assert statement(launch_event(now), emailed)["actor"] == {
        "objectType": "Agent",
        "mbox": "mailto:ana@example.org",
    }


def test_the_object_and_context_name_the_activity_course_series_and_platform(now):
    data = statement(launch_event(now, language="fr"))
    assert data["object"] == {
        "objectType": "Activity",
        "id": f"{BASE}/activities/7",
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "name": {"en": "Session 1", "fr": "Séance 1"},
        },
    }
    context = data["context"]
    assert context["contextActivities"]["parent"][0]["id"] == PLACE.course
    assert context["contextActivities"]["grouping"][0]["id"] == PLACE.series
    assert (context["platform"], context["language"]) == ("https://lms.example.org", "fr")
    assert data["timestamp"] == "2026-11-28T09:30:15.123Z"
    assert data["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"


def test_the_same_event_always_gets_the_same_id_and_another_event_another(now):
    same = statement(launch_event(now))["id"]
    assert statement(launch_event(now))["id"] == same
    assert statement(launch_event(now + dt.timedelta(milliseconds=1)))["id"] != same
    other = XapiActor("https://lms.example.org", "learner-43")
    assert statement(launch_event(now), other)["id"] != same


def test_every_verb_is_displayed_in_english_and_french():
    for verb in XAPI_VERBS.values():
        display = verb.data(BASE)["display"]
        assert set(display) == {"en", "fr"} and all(display.values())


def test_an_activity_named_as_its_template_is_named_in_each_language():
    from koula import xapi_names

    titles = {"en": "Pair review", "fr": "Revue entre pairs"}
    assert xapi_names("", titles, "fr") == titles
    assert xapi_names("Revue entre pairs", titles, "en") == titles


def test_a_title_of_its_own_is_named_only_in_the_language_it_is_known_in():
    from koula import xapi_names

    titles = {"en": "Pair review", "fr": "Revue entre pairs"}
    assert xapi_names("Atelier du lundi", titles, "fr") == {"fr": "Atelier du lundi"}
    assert xapi_names("Atelier du lundi", titles, "") == {"und": "Atelier du lundi"}
