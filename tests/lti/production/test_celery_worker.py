"""A real Celery worker (``koula worker`` with ``KOULA_WORKER=celery``) delivers the scores."""

from __future__ import annotations

from collections import Counter

from koula_demo.learner_calls import wait_for
from koula_demo.lms import Platform
from tests.lti.conftest import CLIENT_ID, DEPLOYMENT_ID
from tests.lti.production.support import stamps, start_worker
from tests.lti.test_score_delivery import close_the_loop, completed, final_grade, learner


def test_a_celery_worker_delivers_a_closed_loop_to_the_gradebook(celery_tool):
    worker = start_worker(celery_tool)
    try:
        with Platform() as platform:
            celery_tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
            close_the_loop(learner(platform, "celery-learner"))
            wait_for(lambda: completed(platform, "celery-learner"), seconds=60)
            assert final_grade(platform, "celery-learner")["scoreGiven"] == 100
            assert set(Counter(stamps(platform)).values()) == {1}
            assert platform.tokens_issued == 1  # four worker threads, one token request
        deliveries = worker.logged("delivering score")
        assert deliveries
        assert all(line.get("task_id") and line.get("outbox_row") for line in deliveries)
    finally:
        worker.stop()


def test_scores_written_while_no_worker_runs_are_delivered_when_one_starts(celery_tool):
    with Platform() as platform:
        celery_tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
        close_the_loop(learner(platform, "early-learner"))
        assert platform.score_requests == []  # koula serve delivers nothing in Celery mode
        worker = start_worker(celery_tool)
        try:
            wait_for(lambda: completed(platform, "early-learner"), seconds=60)
        finally:
            worker.stop()
