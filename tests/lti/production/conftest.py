"""Fixtures of the production tests: a tool on PostgreSQL and Redis whose scores go
through Celery (``KOULA_WORKER=celery``), so ``koula serve`` itself delivers none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from koula_demo.tool_process import RunningTool
from tests.lti.production.support import celery_mode_tool


@pytest.fixture
def celery_tool(tmp_path) -> Iterator[RunningTool]:
    with celery_mode_tool(tmp_path, KOULA_HTTP_TIMEOUT="10") as tool:
        yield tool
