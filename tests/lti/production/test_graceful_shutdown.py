"""SIGTERM in the middle of a delivery: the score in flight finishes, the others wait for the
next worker, and in the end every score reached the platform exactly once."""

from __future__ import annotations

from collections import Counter

import pytest

from koula_demo.learner_calls import CARD, act, wait_for
from koula_demo.lms import Platform
from koula_demo.tool_process import RunningTool, postgres_available
from tests.conftest import need_real_component
from tests.lti.conftest import CLIENT_ID, DEPLOYMENT_ID
from tests.lti.production.support import (
    forget_prefix,
    need_redis,
    new_prefix,
    redis_env,
    stamps,
    start_worker,
)
from tests.lti.test_score_delivery import learner

LEARNERS = [f"learner-{n}" for n in range(4)]


@pytest.fixture(params=["thread", "celery"])
def worker_mode(request, tmp_path):
    """A tool on PostgreSQL that delivers nothing itself; ``koula worker`` in either mode."""
    need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    env = {"KOULA_WORKER": "thread", "KOULA_HTTP_TIMEOUT": "10"}
    url = prefix = ""
    if request.param == "celery":
        url, prefix = need_redis(), new_prefix()
        env = {**env, **redis_env(url, prefix, KOULA_WORKER="celery")}
    tool = RunningTool(tmp_path, backend="postgres", worker=False, **env)
    yield tool
    tool.stop()
    if prefix:
        forget_prefix(url, prefix)


def scored_users(platform) -> set[str]:
    return {score["body"]["userId"] for score in platform.scores()}


def test_sigterm_mid_delivery_loses_and_duplicates_no_score(worker_mode):
    tool = worker_mode
    with Platform() as platform:
        tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
        for user in LEARNERS:
            assert act(learner(platform, user), "submit_deliverable", {"values": CARD}).ok
        platform.slow_next_scores(1, seconds=3)
        first = start_worker(tool, "first")
        wait_for(lambda: first.logged("delivering score"), seconds=60)

        assert first.terminate() == 0  # SIGTERM while the platform takes its time

        assert first.logged("back to the queue")  # the claimed scores it did not send
        assert len(scored_users(platform)) < len(LEARNERS)
        second = start_worker(tool, "second")
        try:
            wait_for(lambda: scored_users(platform) == set(LEARNERS), seconds=60)
        finally:
            second.stop()
        assert set(Counter(stamps(platform)).values()) == {1}


def test_koula_serve_stops_on_sigterm_after_the_score_in_flight(tmp_path):
    tool = RunningTool(tmp_path, KOULA_HTTP_TIMEOUT="10", KOULA_LOG_LEVEL="DEBUG")
    try:
        with Platform() as platform:
            tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
            # A first score, so the access token is cached: the platform checks a token
            # request against the tool's keys, which a stopping tool no longer serves.
            assert act(learner(platform, "first-learner"), "submit_deliverable", {"values": CARD})
            wait_for(lambda: scored_users(platform) == {"first-learner"})
            platform.slow_next_scores(1, seconds=3)
            assert act(learner(platform, "last-learner"), "submit_deliverable", {"values": CARD})
            wait_for(lambda: "delivering score 2" in tool.log_path.read_text(), seconds=60)

            tool.process.terminate()

            assert tool.process.wait(timeout=60) == 0
            assert scored_users(platform) == {"first-learner", "last-learner"}
            assert set(Counter(stamps(platform)).values()) == {1}
            assert "score delivery worker stopped" in tool.log_path.read_text()
    finally:
        tool.stop()
