"""Shared fixtures: the test templates, a fixed clock, and the skip-or-fail rule for real parts.

Tests that need a real component (a browser, a server) call
:func:`need_real_component`: on a bare machine they skip, but when
``KOULA_REQUIRE_E2E=1`` (set by ``.ci/run``) a missing component fails the run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    """The one Playwright driver of the run (two sync drivers cannot live in one process)."""
    need_real_component(
        bool(os.environ.get("KOULA_CHROMIUM") or shutil.which("chromium")),
        "Chromium (Debian package 'chromium')",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need_real_component(False, "Playwright")
    with sync_playwright() as driver:
        yield driver
