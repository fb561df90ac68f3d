"""Several ``koula worker`` processes share the outbox without ever sending a score twice.

A pass that outlives its lease skipping the rows another worker took is tested in process:
tests/lti/services/test_delivery.py.
"""

from __future__ import annotations

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
