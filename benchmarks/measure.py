"""What the benchmark scripts measure with: the best of several runs, peak memory, a
request for a WSGI application called in process, and instructions counted by valgrind."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["best_of", "instructions_of", "peak_of", "switch_counting", "wsgi_request"]


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    """Return the shortest time of ``repeat`` runs of ``run``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def peak_of(run: Callable[[], object]) -> int:
    """Return the peak memory, in bytes, that ``run`` allocates (tracemalloc)."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def wsgi_request(method: str, url: str, body: bytes = b"", **headers: str) -> dict[str, Any]:
    """The WSGI environ of ``method url`` with ``body``, as a server hands it to the
    application; ``headers`` adds CGI names (``HTTP_AUTHORIZATION``...)."""
    parts = urlsplit(url)
    return {
        "REQUEST_METHOD": method, "PATH_INFO": parts.path, "SCRIPT_NAME": "",
        "QUERY_STRING": parts.query, "SERVER_NAME": parts.hostname or "127.0.0.1",
        "SERVER_PORT": str(parts.port or 80), "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": parts.netloc, "HTTP_ACCEPT": "*/*", "HTTP_USER_AGENT": "python-requests",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "wsgi.url_scheme": parts.scheme or "http", "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, **headers,
    }  # fmt: skip


def instructions_of(script: str, arguments: list[str], tool: str) -> int:
    """The instructions ``script`` run with ``arguments`` and ``--under-callgrind`` counts
    under valgrind's callgrind, which counts only while the script switches it on
    (:func:`switch_counting`); what the run prints is printed. SystemExit when it fails."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        done = subprocess.run(
            [valgrind, "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
             sys.executable, script, *arguments, "--under-callgrind"],
            env={**os.environ, "PYTHONMALLOC": "malloc"}, capture_output=True, text=True,
        )  # fmt: skip
        print(done.stdout, end="")
        if done.returncode != 0:
            raise SystemExit(f"{tool}: the counted run failed:\n{done.stderr[-3000:]}")
        totals = [line for line in out.read_text().splitlines() if line.startswith("totals:")]
        return int(totals[0].split()[1])


def switch_counting(on: bool) -> None:
    """Switch callgrind's counting of this process on or off (run under
    :func:`instructions_of`)."""
    switch = ["callgrind_control", "-i", "on" if on else "off", str(os.getpid())]
    subprocess.run(switch, capture_output=True, check=True)
