"""The demo's child processes: each in its own process group, stopped as a group, no orphan.

Each child runs in a new session so that a Ctrl-C in the terminal reaches only the demo,
which then stops the children in order (SIGTERM to the whole group, SIGKILL after a
grace period). On Linux each child also asks the kernel to send it SIGTERM should the
demo itself die without cleaning up (``PR_SET_PDEATHSIG``), so nothing outlives it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

__all__ = ["Child", "start_child", "stop_children", "wait_until_ready"]

PR_SET_PDEATHSIG = 1
GRACE_SECONDS = 10.0
HTTP_TIMEOUT = 3.0


@dataclass
class Child:
    """A started process, its name for messages, and its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes]

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


_LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM when the demo's process ends (Linux only)."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def start_child(
    name: str, argv: Sequence[str], *, env: dict[str, str], cwd: Path, log_path: Path
) -> Child:
    """Start ``argv`` in its own session, its output appended to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - closed by stop_children
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent,  # children start before the sandbox's thread
    )
    return Child(name, process, log_path, log)


def wait_until_ready(
    child: Child, url: str, stop: threading.Event, *, seconds: float = 180.0
) -> bool:
    """Poll ``url`` until it answers below 500; ``False`` when ``stop`` is set first.

    Raises ``RuntimeError`` (with the end of the child's log) when the child exits or
    does not answer within ``seconds``.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stop.is_set():
            return False
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} stopped:\n{child.log_tail()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=HTTP_TIMEOUT).status_code < 500:
                return True
        stop.wait(0.2)
    raise RuntimeError(f"{child.name} did not answer within {seconds:.0f} s:\n{child.log_tail()}")


def _signal_group(child: Child, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, signum)


def stop_children(children: Sequence[Child], report: Callable[[str], None]) -> None:
    """SIGTERM every child's process group, wait, SIGKILL what is left; close the logs."""
    for child in children:
        if child.process.poll() is None:
            _signal_group(child, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            report(f"{child.name} did not stop within {GRACE_SECONDS:.0f} s: killed")
            _signal_group(child, signal.SIGKILL)
            child.process.wait(timeout=GRACE_SECONDS)
        _signal_group(child, signal.SIGKILL)  # anything it left behind in its group
        child.log.close()
