"""Real components for the end-to-end tests: the xblock-sdk workbench on loopback, and Chromium.

Chromium comes from Debian's ``chromium`` package (Playwright's own browser
download does not work on these machines); ``KOULA_CHROMIUM`` overrides the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from koula_demo.tool_process import ROOT, free_port

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("KOULA_CHROMIUM") or shutil.which("chromium")


@contextmanager
def running_workbench(var: Path) -> Iterator[str]:
    """Migrate a fresh workbench database in ``var``, serve it on loopback, yield its URL."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devtools.workbench_settings",
        "KOULA_WORKBENCH_VAR": str(var),
        "PYTHONPATH": str(ROOT),
    }
    django = [sys.executable, "-m", "django"]
    subprocess.run(
        [*django, "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    port = free_port()
    log = open(var / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [*django, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, server, var / "server.log")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the workbench stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the workbench did not answer within 120 s:\n{log.read_text()}")
