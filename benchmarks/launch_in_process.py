"""A login + launch's own cost, without the web server: Koula's and the floor's, in process.

Each tool is set up and started under gunicorn as ``launch_cost.py`` does (its database, the
platform's registration), a few learners launch through it, then it is stopped and its WSGI
application (``lti.wsgi.application``, the floor's ``floor_tool.application``) is called in
this process: every learner's login (``GET``, its state cookie and the redirect checked), then
every learner's launch (``POST`` of the id_token the platform signs for that login, with the
cookie; the activity page checked). Only those calls are measured: the platform's signing of
the id_tokens is not. What gunicorn, the socket and the access line cost is outside these
figures: ``launch_cost.py`` measures the whole.

    .venv/bin/python benchmarks/launch_in_process.py [--learners 1000] [--tool koula]
    .venv/bin/python benchmarks/launch_in_process.py --instructions   # under valgrind

``--instructions`` counts the instructions of the logins and launches under valgrind's
callgrind (``action_in_process.py`` says why); about 20 seconds for the default 100 learners.
"""

from __future__ import annotations

import argparse
import multiprocessing
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import launch_cost as bench
from action_in_process import _application
from measure import instructions_of, switch_counting, wsgi_request

WARM_UP = 20  # learners launched in process before the measure (imports, caches)
Answer = tuple[str, list[tuple[str, str]], bytes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=0, help="1000; 100 with --instructions")
    parser.add_argument("--tool", choices=["koula", "floor", "both"], default="both")
    parser.add_argument("--instructions", action="store_true", help="count them (callgrind)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--under-callgrind", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.learners = args.learners or (100 if args.instructions else 1000)
    if args.one:  # one tool in a process of its own (each imports its own application)
        measure(args.tool, args.learners, counting=args.under_callgrind)
        return
    for tool in ["koula", "floor"] if args.tool == "both" else [args.tool]:
        passed = ["--learners", str(args.learners), "--tool", tool, "--one"]
        if args.instructions:
            count_instructions(tool, passed, args.learners)
        else:
            subprocess.run([sys.executable, __file__, *passed], check=True)


def count_instructions(tool: str, passed: list[str], learners: int) -> None:
    per_launch = instructions_of(__file__, passed, tool) / learners
    print(
        f"{tool}: {per_launch / 1e6:.3f} million instructions per login + launch "
        f"({learners} learners)"
    )


def measure(kind: str, learners: int, *, counting: bool) -> None:
    """Set ``kind`` up under gunicorn, stop it, then log in and launch in process."""
    context = multiprocessing.get_context("spawn")
    tool_class = bench.KoulaTool if kind == "koula" else bench.FloorTool
    with (
        tempfile.TemporaryDirectory() as folder,
        bench.platform_side() as platform,
        context.Pool(2) as pool,
    ):
        tool = tool_class(Path(folder) / kind, platform, postgres=False)
        try:
            bench.launches(pool, platform, tool, list(range(4)), 2)  # its keys fetched, warm
            tool.process.terminate()  # its workers gone: only this process answers now
            tool.process.wait()
            _launch_in_process(kind, tool, platform, learners, counting=counting)
        finally:
            tool.stop()


def _launch_in_process(
    kind: str, tool: Any, platform: bench.PlatformSide, learners: int, *, counting: bool
) -> None:
    application, side = _application(kind, tool.env), tool.side
    key = bench._signing_key(platform.private_pem)
    numbers = range(10_000, 10_000 + WARM_UP)
    logins = [_call(application, _login_request(platform, side, n)) for n in numbers]
    for number, login in zip(numbers, logins, strict=True):
        _check_page(_call(application, _launch_request(platform, side, key, number, login)), side)
    requests = [_login_request(platform, side, number) for number in range(learners)]
    _counting(counting, on=True)
    started = time.process_time()
    logins = [_call(application, request) for request in requests]
    login_seconds = time.process_time() - started
    _counting(counting, on=False)
    launches = [
        _launch_request(platform, side, key, number, login) for number, login in enumerate(logins)
    ]
    _counting(counting, on=True)
    started = time.process_time()
    pages = [_call(application, request) for request in launches]
    launch_seconds = time.process_time() - started
    _counting(counting, on=False)
    for page in pages:
        _check_page(page, side)
    if not counting:  # valgrind's CPU time says nothing
        print(
            f"{kind}: {(login_seconds + launch_seconds) / learners * 1000:.3f} ms CPU per login "
            f"+ launch in process (login {login_seconds / learners * 1000:.3f} ms, launch "
            f"{launch_seconds / learners * 1000:.3f} ms; {learners} learners, SQLite)"
        )


def _counting(counting: bool, *, on: bool) -> None:
    if counting:  # callgrind counts only while on (it is off while nothing is measured)
        switch_counting(on)


def _login_request(platform: bench.PlatformSide, side: bench.ToolSide, number: int) -> dict:
    params = {
        "iss": platform.issuer,
        "login_hint": f"learner-{number}-{secrets.token_hex(4)}",
        "target_link_uri": side.launch_url,
        "lti_message_hint": secrets.token_urlsafe(12),
        "client_id": side.client_id,
        "lti_deployment_id": side.deployment_id,
    }
    request = wsgi_request("GET", f"{side.login_url}?{urlencode(params)}")
    request.update(CONTENT_TYPE="", CONTENT_LENGTH="", HTTP_USER_AGENT="Mozilla/5.0")
    return request


def _launch_request(
    platform: bench.PlatformSide, side: bench.ToolSide, key: Any, number: int, login: Answer
) -> dict:
    """The launch a browser posts after ``login``: the platform's id_token, the cookie."""
    status, headers, body = login
    if not status.startswith("302"):
        raise SystemExit(f"login {status}: {body[:300]!r}")
    auth = dict(parse_qsl(urlsplit(dict(headers)["Location"]).query))
    cookie = "; ".join(
        value.split(";")[0].strip() for name, value in headers if name == "Set-Cookie"
    )
    id_token = bench.id_token_for(platform, side, auth, number, key)
    posted = urlencode({"id_token": id_token, "state": auth["state"]}).encode()
    request = wsgi_request("POST", side.launch_url, posted, HTTP_COOKIE=cookie)
    request.update(CONTENT_TYPE="application/x-www-form-urlencoded", HTTP_USER_AGENT="Mozilla/5.0")
    return request


def _call(application: Any, request: dict) -> Answer:
    answered: list[Any] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        answered[:] = [status, headers]

    chunks = application(request, start_response)
    body = b"".join(chunks)
    if hasattr(chunks, "close"):
        chunks.close()
    return answered[0], answered[1], body


def _check_page(answer: Answer, side: bench.ToolSide) -> None:
    """The activity page came back (not the new-window page, not an error)."""
    status, _, page = answer
    if not status.startswith("200") or bench._page_context(side, page.decode()) is None:
        raise SystemExit(f"launch {status}: not the activity page: {page[:300]!r}")


if __name__ == "__main__":
    main()
