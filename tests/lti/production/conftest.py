"""Fixtures of the production tests: a tool on PostgreSQL and Redis whose scores go
through Celery (``KOULA_WORKER=celery``), so ``koula serve`` itself delivers none."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from koula_demo.tool_process import RunningTool, postgres_available
from tests.conftest import need_real_component
from tests.lti.production.support import forget_prefix, need_redis, new_prefix, redis_env


@pytest.fixture
def celery_tool(tmp_path) -> Iterator[RunningTool]:
    url, prefix = need_redis(), new_prefix()
    need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    tool = RunningTool(
        tmp_path,
        backend="postgres",
        **redis_env(url, prefix, KOULA_WORKER="celery", KOULA_HTTP_TIMEOUT="10"),
    )
    yield tool
    tool.stop()
    forget_prefix(url, prefix)
