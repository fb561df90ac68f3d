"""``koula demo`` as a person runs it: a real process, its printed URL, its process tree.

Used by the demo's tests (tests/demo) and by devtools/screenshots.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

URL = re.compile(r"http://127\.0\.0\.1:\d+/")


def free_base_port() -> int:
    """A port whose next two are free too (the demo takes three in a row)."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = int(sock.getsockname()[1])
        if base < 65000 and all(_free(base + step) for step in (1, 2)):
            return base
    raise RuntimeError("no three free ports in a row")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, grandchildren...), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


class RunningDemo:
    """``koula demo --port BASE --data-dir DIR`` started as a subprocess."""

    def __init__(self, data_dir: Path, *options: str, port: int | None = None) -> None:
        self.port = port or free_base_port()
        self.output = data_dir.parent / f"{data_dir.name}-output.txt"
        self._log = open(self.output, "wb")  # noqa: SIM115 - closed in wait_for_exit
        self.process = subprocess.Popen(
            [sys.executable, "-m", "koula.cli", "demo", "--port", str(self.port),
             "--data-dir", str(data_dir), *options],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.url = ""

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_until_ready(self, seconds: float = 240) -> str:
        """Wait for the one URL the demo prints; return it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = URL.findall(self.text())
            if found:
                self.url = found[0].rstrip("/")
                return self.url
            if self.process.poll() is not None:
                raise RuntimeError(f"koula demo exited:\n{self.text()}")
            time.sleep(0.2)
        raise RuntimeError(f"koula demo printed no URL within {seconds} s:\n{self.text()}")

    def stop(self, signum: int = signal.SIGINT, seconds: float = 60) -> int:
        """Send ``signum`` to the demo and return its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.wait_for_exit(seconds)

    def wait_for_exit(self, seconds: float = 60) -> int:
        try:
            return self.process.wait(timeout=seconds)
        finally:
            self._log.close()

    def kill(self) -> None:
        """Last resort after a failed test: the demo and what it started."""
        for pid in descendants(self.process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._log.close()
