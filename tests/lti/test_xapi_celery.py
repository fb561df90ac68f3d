"""In Celery mode (``KOULA_WORKER=celery``), a real Celery worker delivers the statements to a
real LRS: the tool's own process sends none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from koula_demo.learner_calls import wait_for
from koula_demo.lms import Platform
from koula_demo.lrs import RunningLrs
from koula_demo.tool_process import RunningTool
from tests.lti.conftest import CLIENT_ID, DEPLOYMENT_ID
from tests.lti.production.support import celery_mode_tool, start_worker
from tests.lti.test_xapi_lrs import VERBS, learner_loop, lrs, of, outbox, xapi_env  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture
def celery_tool(lrs: RunningLrs, tmp_path) -> Iterator[RunningTool]:  # noqa: F811
    with celery_mode_tool(tmp_path, **xapi_env(lrs)) as tool:
        yield tool


def test_a_celery_worker_delivers_the_statements(lrs, celery_tool):  # noqa: F811
    with Platform() as platform:
        celery_tool.register(platform, CLIENT_ID, DEPLOYMENT_ID)
        learner_loop(platform, "cem")
        assert {row[0] for row in outbox(celery_tool)} == {"pending"}  # serve sends none
        worker = start_worker(celery_tool)
        try:
            wait_for(lambda: len(of(lrs, platform, "cem")) == len(VERBS), seconds=60)
            wait_for(lambda: {row[0] for row in outbox(celery_tool)} == {"delivered"})
        finally:
            worker.stop()
