"""Real processes for the production tests: a private Redis, ``koula worker``, gunicorn, logs.

Every tool here gets its own ``KOULA_REDIS_PREFIX``, so tests (and other runs) sharing
the machine's Redis never see each other's keys or Celery messages.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from koula_demo.learner_calls import wait_for
from koula_demo.tool_process import RunningTool, postgres_available
from tests.conftest import need_real_component
from tests.e2e.servers import ROOT, free_port

REDIS_URL = os.environ.get("KOULA_TEST_REDIS", "redis://127.0.0.1:6379/0")


def redis_answers(url: str = REDIS_URL) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except Exception:
        return False


def need_redis() -> str:
    """Return the URL of the machine's Redis (skip, or fail in CI, when it does not answer)."""
    need_real_component(redis_answers(), f"Redis at {REDIS_URL}")
    return REDIS_URL


def redis_env(url: str, prefix: str, **extra: str) -> dict[str, str]:
    return {"KOULA_REDIS_URL": url, "KOULA_REDIS_PREFIX": prefix, **extra}


def new_prefix() -> str:
    return f"koula-test-{secrets.token_hex(4)}"


def forget_prefix(url: str, prefix: str) -> None:
    """Delete every key a test made under ``prefix``."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        client.delete(*keys)


class PrivateRedis:
    """A ``redis-server`` of the test's own on a free loopback port, that a test may stop."""

    def __init__(self, folder: Path) -> None:
        server = shutil.which("redis-server")
        need_real_component(server is not None, "redis-server (Debian package 'redis-server')")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [str(server), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: redis_answers(self.url), seconds=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


class Process:
    """A ``koula`` (or gunicorn) process of the tests, its output kept in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def lines(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (other output is skipped)."""
        found = []
        for text in self.log_path.read_text(errors="replace").splitlines():
            if text.startswith("{"):
                with contextlib.suppress(ValueError):
                    found.append(json.loads(text))
        return found

    def logged(self, message_part: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if message_part in line.get("message", "")]

    def terminate(self) -> int:
        """Send SIGTERM and wait for the process to end by itself; return its exit status."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        finally:
            self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)
        self._log.close()


def start_worker(tool: RunningTool, name: str = "worker", **env: str) -> Process:
    """Start ``koula worker`` on ``tool``'s database and Redis (DEBUG: a line per score)."""
    return Process(
        [sys.executable, "-m", "koula.cli", "worker"],
        {**tool.env, "KOULA_LOG_LEVEL": "DEBUG", **env},
        tool.log_path.parent / f"{name}-{secrets.token_hex(3)}.log",
    )


def start_gunicorn(tool: RunningTool, **env: str) -> tuple[Process, str]:
    """Serve ``tool``'s data with gunicorn and lti/gunicorn_conf.py; return it and its URL."""
    port = free_port()
    process = Process(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:lti.gunicorn_conf",
            "lti.wsgi:application",
        ],
        {**tool.env, "KOULA_BIND": f"127.0.0.1:{port}", "KOULA_WEB_WORKERS": "2", **env},
        tool.log_path.parent / f"gunicorn-{port}.log",
    )
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.process.poll() is None, process.log_path.read_text()
        try:
            return requests.get(f"{url}/healthz", timeout=2).ok
        except requests.RequestException:
            return False

    wait_for(up, seconds=60)
    return process, url


def state_from_login(
    tool: RunningTool, platform: Any, session: requests.Session, client_id: str
) -> str:
    """Start a login at ``tool`` in ``session``; return the fresh state it issued."""
    login = session.get(
        f"{tool.url}/lti/login",
        allow_redirects=False,
        timeout=10,
        params={
            "iss": platform.issuer,
            "login_hint": "someone",
            "target_link_uri": f"{tool.url}/lti/launch",
            "client_id": client_id,
        },
    )
    assert login.status_code == 302, login.text[:500]
    query = dict(
        part.split("=", 1) for part in urlsplit(login.headers["Location"]).query.split("&")
    )
    return query["state"]


def stamps(platform: Any) -> list[tuple[str, str]]:
    """Every score request the platform received: (userId, timestamp), repeats included."""
    return [
        (request["body"]["userId"], request["body"]["timestamp"])
        for request in platform.score_requests
        if "body" in request
    ]


@contextlib.contextmanager
def celery_mode_tool(tmp_path: Path, **env: str) -> Iterator[RunningTool]:
    """A tool on PostgreSQL and Redis in Celery mode (``koula serve`` delivers nothing itself),
    with ``env`` added; stopped, and its Redis keys forgotten, on exit."""
    url, prefix = need_redis(), new_prefix()
    need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    tool = RunningTool(
        tmp_path, backend="postgres", **redis_env(url, prefix, KOULA_WORKER="celery", **env)
    )
    try:
        yield tool
    finally:
        tool.stop()
        forget_prefix(url, prefix)
