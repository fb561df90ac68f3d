"""Shared fixtures: the test templates, a fixed clock, and the skip-or-fail rule for real parts.

Tests that need a real component (a browser, a server) call
:func:`need_real_component`: on a bare machine they skip, but when
``KOULA_REQUIRE_E2E=1`` (set by ``.ci/run``) a missing component fails the run.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from koula.template import SessionTemplate
from koula.template_format import load_template_file

DATA = Path(__file__).parent / "data"


def need_real_component(available: bool, what: str) -> None:
    """Skip the calling test when ``what`` is missing, or fail when CI requires it."""
    if available:
        return
    if os.environ.get("KOULA_REQUIRE_E2E") == "1":
        pytest.fail(f"{what} is required (KOULA_REQUIRE_E2E=1) but not available")
    pytest.skip(f"{what} is not available on this machine")


@pytest.fixture
def minimal_template() -> SessionTemplate:
    return load_template_file(DATA / "templates" / "minimal.yaml")


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=dt.UTC)
