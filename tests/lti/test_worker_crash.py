"""A ``koula worker`` killed (SIGKILL) mid-delivery and restarted: no score lost, none reordered.

The scenario, once per database backend: four learners each change their score four times
(Started, InProgress, Submitted, Completed) while no worker runs; a worker starts, and the
first score it sends hangs at the platform longer than the tool's HTTP timeout; the worker
is killed while that request hangs (the platform stores the score a moment later, as a
real one would); the platform then answers the next score requests with HTTP 500; a new
worker starts. The rows the dead worker had claimed wait for their lease (16 s here):
the test moves their ``next_attempt_at`` to now, as if the lease had passed, instead of
waiting. Then every outbox row must settle.

Timestamps are checked per learner in the platform's arrival order; only the newest waiting
score has to be sent (``docs/lti.md``, Grades), so an older change may be superseded.

Two cases found by ``benchmarks/faults.py`` need no crash and are tested in process
(tests/lti/services/test_delivery.py): a score request that times out, then HTTP 500s while
the timed-out request lands at the platform; and the newest score meeting a one-second
conflict after an outage.
"""

from __future__ import annotations

import datetime as dt
import itertools
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of, wait_for
from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import RunningTool, postgres_available
from tests.conftest import need_real_component
from tests.e2e.servers import ROOT
from tests.lti.conftest import CLIENT_ID, CONFIGURED

LEARNERS = 4
HANG_SECONDS = 4.0  # the tool gives up after KOULA_HTTP_TIMEOUT = 2 s
STEPS = [
    ("save_draft", {"part": "deliverable", "values": {"problem": "Late reviews"}}),
    ("submit_deliverable", {"values": CARD}),
    ("commit_experiment", {"values": COMMITMENT}),
    ("submit_return", {"values": RETURN}),
]


def _worker(tool: RunningTool, name: str) -> subprocess.Popen[bytes]:
    log = open(tool.log_path.parent / f"{name}.log", "wb")  # noqa: SIM115 - child keeps it
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "koula.cli", "worker"],
            cwd=ROOT,
            env={**tool.env, "KOULA_WORKER": "thread", "KOULA_LOG_LEVEL": "DEBUG"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    finally:
        log.close()


def _sql(tool: RunningTool, query: str) -> list[tuple[Any, ...]]:
    """Run ``query`` on the tool's database (PostgreSQL or its SQLite file) and commit."""
    if tool.database:
        import psycopg

        with psycopg.connect(tool.env["KOULA_DATABASE_URL"]) as connection:
            cursor = connection.execute(query)
            return cursor.fetchall() if cursor.description else []
    connection = sqlite3.connect(f"{tool.env['KOULA_DATA_DIR']}/koula.sqlite3", timeout=30)
    try:
        with connection:
            return connection.execute(query).fetchall()
    finally:
        connection.close()


def _outbox(tool: RunningTool) -> list[tuple[str, str]]:
    """(status, userId) of every outbox row."""
    rows = _sql(tool, "SELECT status, payload FROM koula_lti_scoreoutbox ORDER BY id")
    return [(status, _user_of(payload)) for status, payload in rows]


def _user_of(payload: Any) -> str:
    import json

    return (payload if isinstance(payload, dict) else json.loads(payload))["userId"]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def crashed_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Run the scenario once per backend; return what the learners changed and what arrived."""
    if request.param == "postgres":
        need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    tool = RunningTool(tmp_path_factory.mktemp(f"crash-{request.param}"), backend=request.param,
                       worker=False)  # fmt: skip
    workers: list[subprocess.Popen[bytes]] = []
    try:
        with Platform() as platform:
            tool.register(platform, CLIENT_ID, "deployment-1")
            changes: dict[str, list[tuple[str, float]]] = {}
            for number in range(LEARNERS):
                user = f"crash-learner-{number}"
                context = context_of(
                    platform.launch(
                        browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user=user
                    )
                )
                changes[user] = []
                for action, body in STEPS:
                    answer = act(context, action, body)
                    assert answer.status_code == 200, answer.text
                    progress = answer.json()["progress"]
                    changes[user].append((progress["activity"], progress["score"]))
                    time.sleep(0.3)
            platform.slow_next_scores(1, HANG_SECONDS)
            workers.append(_worker(tool, "worker-1"))
            # the first score request has arrived (and hangs) once its delay is taken
            wait_for(lambda: not platform.gradebook_store._faults.delays, seconds=60)
            time.sleep(0.3)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait(timeout=20)

            wait_for(lambda: platform.score_requests, seconds=HANG_SECONDS + 5)
            platform.fail_next_scores(2, status=500)
            pending = _sql(
                tool, "SELECT COUNT(*) FROM koula_lti_scoreoutbox WHERE status = 'pending'"
            )[0][0]
            # the lease of the rows the dead worker claimed, passed at once
            _sql(
                tool,
                "UPDATE koula_lti_scoreoutbox SET next_attempt_at = CURRENT_TIMESTAMP "
                "WHERE status = 'pending'",
            )
            workers.append(_worker(tool, "worker-2"))
            wait_for(lambda: all(status != "pending" for status, _ in _outbox(tool)), seconds=90)
            return {
                "changes": changes,
                "accepted": [score["body"] for score in platform.scores()],
                "requests": platform.score_requests,
                "outbox": _outbox(tool),
                "pending_after_kill": pending,
                "server_errors": list(platform.server_errors),
            }
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)
        tool.stop()


def _arrived(run: dict[str, Any], user: str) -> list[dict[str, Any]]:
    return [body for body in run["accepted"] if body["userId"] == user]


def _change(body: dict[str, Any]) -> tuple[str, float]:
    return body["activityProgress"], round(body["scoreGiven"] / body["scoreMaximum"], 4)


def test_the_kill_left_claimed_scores_behind(crashed_run):
    assert crashed_run["pending_after_kill"] > 0
    assert any(request["status"] == 500 for request in crashed_run["requests"])


def test_no_score_is_lost_after_a_worker_is_killed(crashed_run):
    assert crashed_run["server_errors"] == []
    statuses = Counter(status for status, _ in crashed_run["outbox"])
    assert set(statuses) <= {"delivered", "superseded"}, statuses
    for user, changes in crashed_run["changes"].items():
        arrived = _arrived(crashed_run, user)
        assert arrived, user
        assert _change(arrived[-1]) == changes[-1] == ("Completed", 1.0)


def test_scores_arrive_in_order_after_a_worker_is_killed(crashed_run):
    for user, changes in crashed_run["changes"].items():
        arrived = _arrived(crashed_run, user)
        stamps = [dt.datetime.fromisoformat(body["timestamp"]) for body in arrived]
        assert all(a < b for a, b in itertools.pairwise(stamps)), (user, stamps)
        order = [changes.index(_change(body)) for body in arrived]
        assert order == sorted(order), (user, order)


def test_no_score_change_arrives_twice_after_a_worker_is_killed(crashed_run):
    for user in crashed_run["changes"]:
        arrived = [_change(body) for body in _arrived(crashed_run, user)]
        assert len(arrived) == len(set(arrived)), (user, arrived)
    delivered = Counter(user for status, user in crashed_run["outbox"] if status == "delivered")
    for user in crashed_run["changes"]:
        assert delivered[user] == len(_arrived(crashed_run, user)), user
