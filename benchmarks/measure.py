"""What the benchmark scripts measure with: the best of several runs, peak memory, and a
request for a WSGI application called in process."""

from __future__ import annotations

import io
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

__all__ = ["best_of", "peak_of", "wsgi_request"]


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
