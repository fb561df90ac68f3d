"""Several ``koula worker`` processes share the outbox without ever sending a score twice."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from koula_demo.learner_calls import CARD, act, context_of, wait_for
from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import RunningTool, postgres_available
from tests.conftest import need_real_component
from tests.lti.conftest import CLIENT_ID, CONFIGURED


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_workers_deliver_every_score_exactly_once(backend, tmp_path):
    if backend == "postgres":
        need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    tool = RunningTool(tmp_path, backend=backend, worker=False)
    workers = []
    try:
        with Platform() as platform:
            tool.register(platform, CLIENT_ID, "deployment-1")
            contexts = [
                context_of(
                    platform.launch(
                        browser_session(),
                        client_id=CLIENT_ID,
                        custom=CONFIGURED,
                        user=f"learner-{i}",
                    )
                )
                for i in range(30)
            ]
            for context in contexts:
                assert act(context, "submit_deliverable", {"values": CARD}).status_code == 200
            workers = [tool.start_worker(), tool.start_worker()]
            wait_for(
                lambda: len({s["body"]["userId"] for s in platform.scores()}) == 30, seconds=60
            )
            sent = Counter(
                (r["body"]["userId"], r["body"]["timestamp"])
                for r in platform.score_requests
                if "body" in r
            )
            assert set(sent.values()) == {1}
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=20)
        tool.stop()


def test_a_worker_skips_the_scores_another_took_when_its_pass_outlived_their_lease(tmp_path):
    # A 0.5 s timeout makes the lease 11.5 s; 30 scores answered in 0.45 s each take one
    # worker 13.5 s, so a second worker started at 12.5 s takes the rows the first has not
    # reached: the first must skip them, not send them again.
    tool = RunningTool(tmp_path, worker=False, KOULA_HTTP_TIMEOUT="0.5")
    workers = []
    try:
        with Platform() as platform:
            tool.register(platform, CLIENT_ID, "deployment-1")
            for i in range(30):
                context = context_of(
                    platform.launch(
                        browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user=f"slow-{i}"
                    )
                )
                assert act(context, "submit_deliverable", {"values": CARD}).status_code == 200
            platform.slow_next_scores(30, 0.45)
            workers.append(tool.start_worker())
            wait_for(lambda: platform.score_requests, seconds=30)
            time.sleep(12.5)
            workers.append(tool.start_worker())
            wait_for(
                lambda: len({s["body"]["userId"] for s in platform.scores()}) == 30, seconds=90
            )
            time.sleep(2)  # let the first worker finish its pass
            sent = Counter(
                (r["body"]["userId"], r["body"]["timestamp"])
                for r in platform.score_requests
                if "body" in r
            )
            assert set(sent.values()) == {1}, [key for key, n in sent.items() if n > 1]
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=20)
        tool.stop()
