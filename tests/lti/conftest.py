"""Fixtures for the LTI tool's end-to-end tests: a real platform and the tool as served.

``tool`` runs once per module and per database backend (SQLite, and PostgreSQL
when it answers; with ``KOULA_REQUIRE_E2E=1`` a missing PostgreSQL fails).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from koula_demo.lms import Platform, browser_session
from koula_demo.tool_process import RunningTool, postgres_available
from tests.conftest import need_real_component

CLIENT_ID, DEPLOYMENT_ID = "koula-client", "deployment-1"
CONFIGURED = {"koula_template": "default-koula"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def tool(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningTool]:
    if request.param == "postgres":
        need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    running = RunningTool(tmp_path_factory.mktemp(f"tool-{request.param}"), backend=request.param)
    yield running
    running.stop()


@pytest.fixture
def platform(tool: RunningTool) -> Iterator[Platform]:
    """A fresh platform per test, registered with the tool under its own issuer."""
    with Platform() as test_platform:
        tool.register(test_platform, CLIENT_ID, DEPLOYMENT_ID)
        yield test_platform
        assert test_platform.server_errors == []


@pytest.fixture
def browser() -> Any:
    return browser_session()
