"""Fixtures of the demo's browser tests: a real ``koula demo`` and headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from devtools.running_demo import RunningDemo
from tests.e2e.servers import CHROMIUM_ARGS, chromium_path


@pytest.fixture
def demo(tmp_path) -> Iterator[RunningDemo]:
    running = RunningDemo(tmp_path / "demo-data")
    try:
        running.wait_until_ready()
        yield running
    finally:
        if running.process.poll() is None:
            running.kill()


@pytest.fixture
def browser(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(browser: Any) -> Any:
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.set_default_timeout(30_000)
    return page
