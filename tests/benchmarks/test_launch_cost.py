"""The launch-cost benchmark (Koula next to the floor tool) runs, and its floor is honest.

The script prints figures and asserts nothing about them; the first test runs it in quick
mode and checks that it measured both tools with every answer right. The others drive the
floor tool in-process, so that it cannot become cheaper by skipping a check: a replayed
launch, another browser's state and a token for someone else are refused.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from koula_demo.tool_process import ROOT
from tests.benchmarks.script_runs import run_script


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_quick_run_prints_koula_and_the_floor_with_every_launch_and_action_answered():
    printed = run_script("launch_cost", "--quick")
    for kind in ("koula", "floor"):
        assert re.search(rf"^  {kind} +launch +[\d.]+ ms CPU", printed, re.M), printed
        assert f"{kind}: 0 failed answers" in printed
    for label in ("launch CPU ms (login + launch)", "launch p95 ms, 8 browsers", "action CPU ms"):
        number = r"(?:[\d.]+|nan)"  # nan: a run too short for one CPU tick of the floor
        figures = rf" +{number} / {number} +{number} / {number} +{number}x +{number}x \(.*\)$"
        assert re.search(rf"^{re.escape(label)}{figures}", printed, re.M), printed
    assert re.search(r"a trivial request \(GET /healthz.* [\d.]+ / [\d.]+ ms CPU", printed)
    outbox = re.search(r"rows in the score outbox after a run: (\d+) for (\d+) actions", printed)
    assert outbox and outbox.group(1) == outbox.group(2), printed


@pytest.fixture
def floor(tmp_path, monkeypatch) -> Iterator[tuple[Any, Any, Any, Any]]:
    """The floor tool's WSGI app on a fresh SQLite file, the platform side, the tool side."""
    cost = load("launch_cost")
    tool = load("floor_tool")
    with cost.platform_side() as platform:
        side = cost.ToolSide("floor", "http://tool/login", "http://tool/launch", "c-1", "d-1")
        settings = {
            "FLOOR_DATABASE": str(tmp_path / "floor.sqlite3"),
            "FLOOR_BASE_URL": "http://tool",
            "FLOOR_ISSUER": platform.issuer,
            "FLOOR_CLIENT_ID": "c-1",
            "FLOOR_DEPLOYMENT_ID": "d-1",
            "FLOOR_AUTH_URL": platform.auth_url,
            "FLOOR_JWKS_URL": platform.jwks_url,
            "FLOOR_SECRET": "s" * 32,
        }
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        tool.Store(settings["FLOOR_DATABASE"]).migrate()
        yield cost, tool.FloorTool(), platform, side


def call(app, method: str, path: str, body: bytes = b"", **headers: str) -> tuple[int, dict, str]:
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    answered: dict[str, Any] = {}

    def start(status: str, headers: list[tuple[str, str]]) -> None:
        answered["status"], answered["headers"] = int(status.split()[0]), dict(headers)

    text = b"".join(app(environ, start)).decode()
    return answered["status"], answered["headers"], text


def login_and_token(cost, app, platform, side, number: int = 1) -> tuple[str, str, str]:
    """A login; return the state cookie, the state and the platform's id_token."""
    user = f"learner-{number}"
    query = urlencode({"iss": platform.issuer, "login_hint": user, "client_id": "c-1"})
    status, headers, _ = call(app, "GET", f"/login?{query}")
    assert status == 302
    auth = dict(parse_qsl(urlsplit(headers["Location"]).query))
    assert auth["redirect_uri"] == side.launch_url
    key = cost._signing_key(platform.private_pem)
    id_token = cost.id_token_for(platform, side, auth, number, key)
    cookie = headers["Set-Cookie"].split(";")[0]
    return cookie, auth["state"], id_token


def launch(app, cookie: str, state: str, id_token: str) -> tuple[int, str]:
    body = urlencode({"id_token": id_token, "state": state}).encode()
    status, _, text = call(app, "POST", "/launch", body, cookie=cookie)
    return status, text


def test_the_floor_launches_once_and_refuses_the_same_launch_posted_again(floor):
    cost, app, platform, side = floor
    cookie, state, id_token = login_and_token(cost, app, platform, side)
    status, page = launch(app, cookie, state, id_token)
    assert status == 200 and 'id="floor-activity"' in page
    assert launch(app, cookie, state, id_token)[0] == 400


def test_the_floor_refuses_a_launch_whose_state_cookie_is_another_browsers(floor):
    cost, app, platform, side = floor
    cookie, _, _ = login_and_token(cost, app, platform, side, 1)
    _, state, id_token = login_and_token(cost, app, platform, side, 2)
    assert launch(app, cookie, state, id_token)[0] == 400


def test_the_floor_refuses_an_id_token_replayed_with_a_fresh_login(floor):
    cost, app, platform, side = floor
    cookie, state, id_token = login_and_token(cost, app, platform, side, 1)
    assert launch(app, cookie, state, id_token)[0] == 200
    cookie, state, _ = login_and_token(cost, app, platform, side, 2)
    assert launch(app, cookie, state, id_token)[0] == 400


def test_the_floor_refuses_an_id_token_for_another_client(floor):
    cost, app, platform, side = floor
    cookie, state, _ = login_and_token(cost, app, platform, side)
    other = cost.ToolSide("floor", side.login_url, side.launch_url, "c-2", "d-1")
    nonce = {"nonce": "n", "login_hint": "learner-1"}
    id_token = cost.id_token_for(platform, other, nonce, 1, cost._signing_key(platform.private_pem))
    assert launch(app, cookie, state, id_token)[0] == 400


def test_the_floor_action_updates_the_launch_with_its_token_and_refuses_without_one(floor):
    cost, app, platform, side = floor
    cookie, state, id_token = login_and_token(cost, app, platform, side)
    _, page = launch(app, cookie, state, id_token)
    token = re.search(r'data-token="([^"]+)"', page).group(1)
    body = json.dumps({"values": {"problem": "Late reviews"}}).encode()
    status, _, text = call(app, "POST", "/action/save_draft", body, authorization=f"Bearer {token}")
    assert status == 200 and json.loads(text)["ok"] is True
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert call(app, "POST", "/action/save_draft", body, authorization=f"Bearer {forged}")[0] == 401
    assert (
        call(app, "POST", "/action/save_draft", b"[1]", authorization=f"Bearer {token}")[0] == 400
    )


@pytest.mark.skipif(
    not Path(f"/proc/self/task/{threading.get_native_id()}/schedstat").exists(),
    reason="this kernel has no schedstat: the benchmark counts clock ticks",
)
def test_a_process_cpu_is_read_to_well_under_a_clock_tick_and_agrees_with_the_kernel_total():
    bench = load("launch_cost")
    before, kernel_before = bench.process_cpu(os.getpid()), time.process_time()
    while time.process_time() - kernel_before < 0.3:
        sum(range(10_000))
    spent, kernel_spent = (
        bench.process_cpu(os.getpid()) - before,
        time.process_time() - kernel_before,
    )
    assert abs(spent - kernel_spent) < 0.03 + kernel_spent * 0.05, (spent, kernel_spent)
    assert round(spent * 1e9) % 10_000_000 != 0  # not counted in whole 10 ms clock ticks
