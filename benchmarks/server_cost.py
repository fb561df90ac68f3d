"""What a request costs besides the tool's own work: gunicorn's share, and cold caches.

Three web applications under gunicorn (2 sync workers, as ``launch_cost.py`` runs them),
each asked ``GET /healthz`` by 4 client threads; CPU from the workers' ``/proc`` times:

- a bare WSGI application (a two-byte answer): gunicorn's own work;
- the same with Django and the whole tool imported in the workers and Koula's response headers:
  does the tool's size or its headers make gunicorn's work dearer?
- Koula's ``lti.wsgi:application`` (``/healthz``: one ``SELECT 1`` through Django).

Then Koula's ``/healthz`` called in this process: in a loop (every cache warm) and with 8 MB
touched between two calls (as a busy machine's other processes evict the caches between a
worker's requests). The gap between those two is why a tool's work costs more under a
loaded server than in a loop.

    .venv/bin/python benchmarks/server_cost.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
from functools import cache
from typing import Any

from launch_cost import ROOT, cpu_of, free_port
from measure import wsgi_request

THREADS = 4


def bare(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The least a WSGI application can answer."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def with_the_tool(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """:func:`bare` in a worker that imported the whole tool, with Koula's headers."""
    start_response("200 OK", _koula_headers())
    return [b"ok"]


@cache
def _koula_headers() -> list[tuple[str, str]]:
    """The headers of Koula's ``/healthz`` (asked once, which imports the whole tool)."""
    from lti.wsgi import application  # the whole tool, Django set up

    seen: list[tuple[str, str]] = []
    answer = application(_healthz(), lambda status, headers, *exc: seen.extend(headers))
    b"".join(answer)
    answer.close()  # type: ignore[attr-defined]
    return [(name, value) for name, value in seen if name != "Content-Length"] + [
        ("Content-Length", "2")
    ]


def _healthz() -> dict[str, Any]:
    return wsgi_request("GET", "http://127.0.0.1:8000/healthz")


def _ask(url: str, count: int) -> None:
    import requests

    def one() -> None:
        for _ in range(count // THREADS):
            if requests.get(url, timeout=30).status_code != 200:
                raise SystemExit(f"{url} did not answer 200")

    threads = [threading.Thread(target=one) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def under_gunicorn(label: str, app: str, env: dict[str, str], count: int) -> None:
    import requests

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--worker-class", "sync", "--pythonpath", f"{ROOT / 'benchmarks'},{ROOT}", app],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url, timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"{app} did not start")
            time.sleep(0.2)
        _ask(url, 200)  # both workers warm
        before = cpu_of(process.pid)
        _ask(url, count)
        spent = cpu_of(process.pid) - before
        print(f"{label:62s} {spent / count * 1000:.3f} ms CPU per request", flush=True)
    finally:
        process.terminate()
        process.wait()


def in_process(count: int) -> None:
    from lti.wsgi import application

    def call() -> None:
        answer = application(_healthz(), lambda *args: None)
        b"".join(answer)
        answer.close()

    junk = bytearray(8 * 1024 * 1024)

    def evict() -> None:
        for index in range(0, len(junk), 64):
            junk[index] = 1

    for _ in range(300):
        call()
    started = time.process_time()
    for _ in range(count):
        call()
    warm = (time.process_time() - started) / count
    started = time.process_time()
    for _ in range(count // 2):
        call()
        evict()
    both = time.process_time() - started
    started = time.process_time()
    for _ in range(count // 2):
        evict()
    cold = (both - (time.process_time() - started)) / (count // 2)
    print(f"{'Koula /healthz in process, caches warm (a loop)':62s} {warm * 1000:.3f} ms CPU")
    print(
        f"{'Koula /healthz in process, caches evicted between calls':62s} {cold * 1000:.3f} ms CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tool = {
            "KOULA_DATA_DIR": folder,
            "KOULA_SECRET_KEY": "server-cost-benchmark-" + "x" * 32,
            "KOULA_BASE_URL": "http://127.0.0.1:8000",
            "DJANGO_SETTINGS_MODULE": "lti.settings",
        }
        env = {**os.environ, **tool}
        subprocess.run(
            [sys.executable, "-m", "koula.cli", "migrate"], env=env, cwd=ROOT, check=True,
            capture_output=True,
        )  # fmt: skip
        under_gunicorn("a bare WSGI application", "server_cost:bare", env, args.requests)
        under_gunicorn(
            "the same, the whole tool imported, Koula's headers",
            "server_cost:with_the_tool",
            env,
            args.requests,
        )
        under_gunicorn("Koula's GET /healthz", "lti.wsgi:application", env, args.requests)
        os.environ.update(tool)
        in_process(args.requests)


if __name__ == "__main__":
    main()
