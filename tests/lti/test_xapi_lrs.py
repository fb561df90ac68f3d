"""Learners' xAPI statements reach a real LRS (Ralph, on loopback), whole and once each.

The tool runs as served (``koula serve`` with its worker) with ``KOULA_XAPI_URL`` naming a
Ralph LRS (:mod:`koula_demo.lrs`); the statements are read back through the LRS's own
statements API. The delivery rules one by one (batches, retries, refusals) are tested in
process: tests/lti/services/test_xapi_delivery.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of, wait_for
from koula_demo.lms import Platform, browser_session
from koula_demo.lrs import RunningLrs, lrs_python
from koula_demo.tool_process import RunningTool, free_port, postgres_available
from tests.conftest import need_real_component
from tests.lti.conftest import CLIENT_ID, CONFIGURED, DEPLOYMENT_ID

pytestmark = pytest.mark.e2e
ACTIONS = [
    ("submit_deliverable", {"values": CARD}),
    ("submit_deliverable", {"values": {**CARD, "problem": "Reviews come a week late."}}),
    ("commit_experiment", {"values": COMMITMENT}),
    ("share_card", {"shared": True}),
    ("volunteer_host", {"volunteer": True}),
    ("submit_return", {"values": RETURN}),
]
VERBS = ["launched", "submitted", "revised", "committed", "shared", "volunteered", "reported"]


@pytest.fixture(scope="module")
def lrs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningLrs]:
    need_real_component(lrs_python() is not None, "Ralph's LRS (ralph-malph[lrs], ./dev test)")
    running = RunningLrs(tmp_path_factory.mktemp("lrs"), free_port())
    yield running
    running.stop()


def xapi_env(lrs: RunningLrs) -> dict[str, str]:
    return {"KOULA_XAPI_URL": lrs.url, "KOULA_XAPI_KEY": lrs.key, "KOULA_XAPI_SECRET": lrs.secret}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    return str(request.param)


@pytest.fixture
def tool(lrs, backend, tmp_path) -> Iterator[RunningTool]:
    running = RunningTool(tmp_path, backend=backend, **xapi_env(lrs))
    yield running
    running.stop()


def registered(tool: RunningTool) -> Platform:
    platform = Platform()
    platform.__enter__()
    tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
    return platform


def learner_loop(platform: Platform, user: str) -> None:
    page = platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user=user)
    assert page.status_code == 200, page.text[:500]
    context = context_of(page)
    for action, body in ACTIONS:
        assert act(context, action, body).status_code == 200


def of(lrs: RunningLrs, platform: Platform, user: str) -> list[dict]:
    return [
        s
        for s in lrs.statements()
        if s["actor"].get("account") == {"homePage": platform.issuer, "name": user}
    ]


def outbox(tool: RunningTool) -> list[tuple]:
    return tool.sql("SELECT status, attempts, last_error FROM koula_lti_statementoutbox")


def test_every_learner_action_reaches_the_lrs_with_its_actor_object_result_and_context(lrs, tool):
    platform = registered(tool)
    try:
        learner_loop(platform, "ana")
        found = wait_for(lambda: len(of(lrs, platform, "ana")) >= len(VERBS))
        found = of(lrs, platform, "ana")
    finally:
        platform.__exit__(None, None, None)
    by_verb = {s["verb"]["id"].rsplit("/", 1)[-1]: s for s in found}
    assert sorted(s["verb"]["id"] for s in found) == sorted(
        [
            "http://adlnet.gov/expapi/verbs/launched",
            "http://activitystrea.ms/schema/1.0/submit",
            "http://activitystrea.ms/schema/1.0/update",
            f"{tool.url}/xapi/verbs/committed",
            "http://adlnet.gov/expapi/verbs/shared",
            f"{tool.url}/xapi/verbs/volunteered",
            f"{tool.url}/xapi/verbs/reported",
        ]
    )
    ((activity_id, deployment),) = tool.sql("SELECT id, deployment_id FROM koula_lti_activity")
    for statement in found:
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": platform.issuer, "name": "ana"},
        }
        assert statement["object"]["id"] == f"{tool.url}/xapi/activities/{activity_id}"
        context = statement["context"]
        # the link's own title, in the language of the launch only
        names = statement["object"]["definition"]["name"]
        assert set(names) == {context["language"]} and all(names.values())
        assert context["platform"] == platform.issuer
        course = context["contextActivities"]["parent"][0]["id"]
        assert course == f"{tool.url}/xapi/courses/{deployment}/course-1"
        series = context["contextActivities"]["grouping"][0]["id"]
        assert series == f"{tool.url}/xapi/series/{deployment}/course-1"
    reported = by_verb["reported"]["result"]
    assert reported["completion"] is True and "success" not in reported  # applied "partly"
    assert reported["extensions"][f"{tool.url}/xapi/extensions/applied"] == "partly"
    assert reported["score"]["scaled"] == 0.75
    assert "response" not in reported  # the activity does not allow the text
    committed = by_verb["committed"]["result"]["extensions"]
    assert committed[f"{tool.url}/xapi/extensions/due-on"]
    assert {row[0] for row in outbox(tool)} == {"delivered"}


def test_nothing_is_lost_or_duplicated_across_an_lrs_outage_and_a_worker_restart(
    lrs, backend, tmp_path
):
    folder = tmp_path
    first = RunningTool(folder, backend=backend, **xapi_env(lrs))
    platform = registered(first)
    lrs.stop()
    try:
        learner_loop(platform, "bea")
        wait_for(lambda: all(row[1] >= 1 and row[2] for row in outbox(first)) and outbox(first))
        assert {row[0] for row in outbox(first)} == {"pending"}
        # The worker stops too (a restart), then the LRS comes back while it is down.
        first.process.terminate()
        first.process.wait(timeout=30)
        lrs.start()
        same_database = (
            {"KOULA_DATABASE_URL": first.env["KOULA_DATABASE_URL"]} if first.database else {}
        )
        second = RunningTool(folder, **same_database, **xapi_env(lrs))
        second.database, first.database = first.database, ""  # the second drops it
        # The rows wait out their backoff (it doubled during the outage): up to about as
        # long again as the outage lasted.
        wait_for(lambda: {row[0] for row in outbox(second)} == {"delivered"}, seconds=120)
        # Every statement is sent once more, as if a worker died before marking it sent.
        second.sql("UPDATE koula_lti_statementoutbox SET status = 'pending'")
        wait_for(lambda: {row[0] for row in outbox(second)} == {"delivered"}, seconds=60)
        rows = outbox(second)
        found = of(lrs, platform, "bea")
    finally:
        platform.__exit__(None, None, None)
        first.stop()
        if "second" in locals():
            second.stop()
        if lrs.child is None:
            lrs.start()
    assert len(rows) == len(VERBS) and max(row[1] for row in rows) > 2  # retried, then sent
    assert len(found) == len(VERBS)
    assert max(Counter(s["id"] for s in found).values()) == 1
    assert sorted(s["verb"]["id"].rsplit("/", 1)[-1] for s in found) == sorted(
        ["launched", "submit", "update", "committed", "shared", "volunteered", "reported"]
    )


def test_a_wrong_lrs_address_keeps_the_statements_waiting_until_it_is_fixed(lrs, tmp_path):
    """``KOULA_XAPI_URL`` ending in ``/statements``: the LRS answers every POST with an
    error about the address, not about a statement; nothing is refused, and once the address
    is right each statement arrives once."""
    wrong = {**xapi_env(lrs), "KOULA_XAPI_URL": f"{lrs.url}/statements"}
    first = RunningTool(tmp_path, backend="sqlite", **wrong)
    platform = registered(first)
    try:
        learner_loop(platform, "cy")
        wait_for(lambda: outbox(first) and all(row[1] >= 2 for row in outbox(first)))
        rows = outbox(first)
        first.process.terminate()
        first.process.wait(timeout=30)
        second = RunningTool(tmp_path, **xapi_env(lrs))
        wait_for(lambda: {row[0] for row in outbox(second)} == {"delivered"}, seconds=120)
        found = of(lrs, platform, "cy")
    finally:
        platform.__exit__(None, None, None)
        first.stop()
        if "second" in locals():
            second.stop()
    assert {row[0] for row in rows} == {"pending"}
    assert all("check KOULA_XAPI_URL" in row[2] for row in rows)
    assert len(found) == len(VERBS)
    assert max(Counter(s["id"] for s in found).values()) == 1
