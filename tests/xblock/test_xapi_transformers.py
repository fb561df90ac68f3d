"""Koula's tracking events become valid xAPI in Open edX's event-routing backends.

Learners go through the whole loop in the real XBlock runtime (an LMS-like course); every
``edx.koula.*`` event the blocks publish then crosses the backends' pipeline as the LMS
routes it (:mod:`tests.xblock.openedx_pipeline`, in a process of its own), and each
statement is checked against xAPI 1.0.3 (read back by the ``tincan`` library, plus the
rules it does not check) and against the statement the LTI tool makes of the same event.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from koula import XAPI_VERBS, XapiActor, XapiEvent, XapiPlace, xapi_namespace, xapi_statement
from koula_xblock.tracking import PUBLISHED_VERBS, XAPI_TRACKING_EVENTS
from tests.xblock.openedx_pipeline import LMS_ROOT_URL
from tests.xblock.runtime import COURSE, Course, call
from tests.xblock.test_learner_actions import card_values, commitment_values, return_values

pytest.importorskip("event_routing_backends", reason="the [openedx-analytics] extra")
tincan = pytest.importorskip("tincan")

ROOT = Path(__file__).resolve().parents[2]
COURSE_ID = f"course-v1:{COURSE}"
USERS = {"ana": 11, "ben": 12, "staff": 1}
STORY = "ANA-PRIVATE-STORY of what happened"
IRI_BASE = f"{LMS_ROOT_URL}/koula/xapi"
IRI = re.compile(r"^[a-z][a-z0-9+.-]*:\S+$")


def published(block: Any, who: str) -> list[dict[str, Any]]:
    """The block's published events as the LMS emits them, with who and where."""
    usage_key = str(block.scope_ids.usage_id)
    return [
        {
            "name": name,
            "data": data,
            "user_id": USERS[who],
            "username": f"user-{who}-{USERS[who]}",
            "course_id": COURSE_ID,
            "usage_key": usage_key,
            "display_name": block.display_name,
        }
        for name, data in block.runtime.events
        if name.startswith("edx.koula.")
    ]


def learner_loop() -> list[dict[str, Any]]:
    """Two learners and staff do every action that makes a statement, in one block."""
    course = Course(lms=True)
    seen: list[dict[str, Any]] = []

    def act(who: str, handler: str, body: dict[str, Any], **fields: Any) -> Any:
        block = course.block(who, staff=who == "staff", display_name="Session 1", **fields)
        status, answer = call(block, handler, body)
        assert status == 200, answer
        seen.extend(published(block, who))
        return answer

    ana = course.block("ana")
    act("ana", "submit_deliverable", {"values": card_values(ana)})
    act("ana", "submit_deliverable", {"values": {**card_values(ana), "practice_name": "Pairs"}})
    act("ana", "share_card", {"shared": True})
    commitment = {**commitment_values(ana), "confidence": 4}
    act("ana", "commit_experiment", {"values": commitment})
    answers = {**return_values(ana), "applied": "yes", "confidence": 5, "what_happened": STORY}
    act("ana", "submit_return", {"values": answers})
    act("ana", "volunteer_host", {"volunteer": True})
    act("ana", "volunteer_host", {"volunteer": False})
    act("ana", "share_card", {"shared": False})
    act("ben", "submit_deliverable", {"values": card_values(course.block("ben"))})
    act("ben", "share_card", {"shared": True})
    card = act("ana", "shared_cards", {})["cards"][0]["id"]
    act("ana", "reuse_card", {"card": card, "reuse": True})
    act("ana", "reuse_card", {"card": card, "reuse": False})
    act("staff", "assign_host", {"next_host": "ana"})
    act("ana", "assign_host", {"next_host": "ben"})
    return seen


def run_pipeline(events: list[dict[str, Any]], order: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.xblock.openedx_pipeline"],
        input=json.dumps({"order": order, "events": events}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def events() -> list[dict[str, Any]]:
    return learner_loop()


@pytest.fixture(scope="module")
def routed(events: list[dict[str, Any]]) -> dict[str, Any]:
    return run_pipeline(events, "backends-first")


def koula_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for event in events if event["name"] in XAPI_TRACKING_EVENTS]


def assert_valid_xapi(statement: dict[str, Any]) -> None:
    """xAPI 1.0.3 rules for a statement a Learning Record Provider sends."""
    parsed = tincan.Statement.from_json(json.dumps(statement))
    assert parsed.verb.id == statement["verb"]["id"]
    assert str(uuid.UUID(statement["id"])) == statement["id"]
    assert statement["version"] == "1.0.3"
    actor = statement["actor"]
    identifiers = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    assert actor.get("objectType", "Agent") == "Agent" and len(identifiers) == 1
    assert set(actor["account"]) == {"homePage", "name"} and IRI.match(actor["account"]["homePage"])
    assert IRI.match(statement["verb"]["id"]) and statement["verb"]["display"]
    activity = statement["object"]
    assert activity["objectType"] == "Activity" and IRI.match(activity["id"])
    assert IRI.match(activity["definition"]["type"])
    assert activity["definition"]["name"] and all(activity["definition"]["name"].values())
    moment = dt.datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))
    assert moment.tzinfo is not None
    result = statement.get("result", {})
    if "score" in result:
        score = result["score"]
        assert -1 <= score["scaled"] <= 1 and score["min"] <= score["raw"] <= score["max"]
    for extensions in (result.get("extensions", {}), statement["context"].get("extensions", {})):
        assert all(IRI.match(key) for key in extensions)
    for activities in statement["context"].get("contextActivities", {}).values():
        assert all(IRI.match(a["id"]) for a in activities)


def test_every_koula_event_of_the_loop_becomes_one_valid_statement(events, routed):
    mine = koula_events(events)
    assert {XAPI_TRACKING_EVENTS[e["name"]] for e in mine} == set(PUBLISHED_VERBS)
    statements = routed["statements"]
    assert len(statements) == len(mine)  # each event once; edx.koula.learner_action none
    for statement in statements:
        assert_valid_xapi(statement)
    assert [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements] == [
        XAPI_VERBS[XAPI_TRACKING_EVENTS[e["name"]]].data(IRI_BASE)["id"].rsplit("/", 1)[-1]
        for e in mine
    ]


def test_statements_say_what_the_lti_tool_says_of_the_same_event(events, routed):
    for event, statement in zip(koula_events(events), routed["statements"], strict=True):
        data = event["data"]
        place = XapiPlace(
            iri_base=IRI_BASE,
            activity=f"{LMS_ROOT_URL}/xblock/{data['usage_key']}",
            names=data["names"],
            series=f"{IRI_BASE}/series/course-v1%3AKoula%2BC1%2B2026",
            platform=LMS_ROOT_URL,
        )
        core = xapi_statement(
            XapiEvent(
                XAPI_TRACKING_EVENTS[event["name"]],
                dt.datetime.now(dt.UTC),
                key=data.get("key", ""),
                result=data.get("result", {}),
                extensions=data.get("extensions", {}),
                language=data.get("language", ""),
            ),
            actor=XapiActor(LMS_ROOT_URL, "anyone"),
            place=place,
            namespace=xapi_namespace(LMS_ROOT_URL),
        )
        assert statement["verb"] == core["verb"]
        assert statement["object"] == core["object"]
        assert json.loads(json.dumps(statement.get("result")), parse_float=float) == (
            _floats(core.get("result"))
        )
        context = statement["context"]
        assert (
            context["contextActivities"]["grouping"]
            == core["context"]["contextActivities"]["grouping"]
        )
        assert context.get("language") == core["context"].get("language")
        koula_extensions = {
            k: v for k, v in context["extensions"].items() if k.startswith(IRI_BASE)
        }
        assert koula_extensions == core["context"].get("extensions", {})


def _floats(value: Any) -> Any:
    """The core's numbers as the backends write them (tincan makes a score's numbers floats)."""
    if isinstance(value, dict):
        return {
            k: (float(v) if k in ("raw", "min", "max") else _floats(v)) for k, v in value.items()
        }
    return value


def test_a_statement_tells_the_platform_s_learner_course_and_session(events, routed):
    by_verb = {s["verb"]["id"].rsplit("/", 1)[-1]: s for s in routed["statements"]}
    reported = by_verb["reported"]
    assert reported["actor"]["account"]["homePage"] == LMS_ROOT_URL
    assert reported["result"]["completion"] is True and reported["result"]["success"] is True
    assert reported["result"]["score"]["scaled"] == 1.0
    parent = reported["context"]["contextActivities"]["parent"][0]
    assert parent["id"] == f"{LMS_ROOT_URL}/course/{COURSE_ID}"
    assert parent["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"
    assert (
        "https://w3id.org/xapi/openedx/extensions/session-id" in reported["context"]["extensions"]
    )
    assert by_verb["committed"]["result"]["score"]["raw"] == 4.0
    # the block's own display name, in the learner's language only (not as a translation)
    assert by_verb["submit"]["object"]["definition"]["name"] == {"en": "Session 1"}
    actors = {s["actor"]["account"]["name"] for s in routed["statements"]}
    assert len(actors) == 2  # ana and ben, each under the platform's anonymous id


def test_no_learner_text_and_no_username_reaches_the_lrs(events, routed):
    assert STORY not in json.dumps(events)  # not even in the platform's tracking log
    text = json.dumps(routed["statements"])
    assert STORY not in text
    assert not any(f"user-{who}" in text for who in USERS)


def test_koula_events_pass_the_allow_lists_whichever_plugin_settings_run_first(events, routed):
    other = run_pipeline(events, "koula-first")
    assert len(other["statements"]) == len(routed["statements"])
    for result in (routed, other):
        for allow_list in result["allow_lists"].values():
            assert set(XAPI_TRACKING_EVENTS) <= set(allow_list)
        assert "edx.koula.learner_action" not in result["allow_lists"]["xapi"]
