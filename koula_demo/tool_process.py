"""The Koula LTI tool as ``koula serve`` runs it: a real process on a loopback port.

Each :class:`RunningTool` has its own data folder and database: SQLite by
default, or a fresh PostgreSQL database when ``backend="postgres"``
(``KOULA_TEST_POSTGRES`` names the server). The LTI tests and the benchmarks
drive the tool through it, from a checkout (``ROOT``), against the platform of
:mod:`koula_demo.lms`.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from koula_demo.children import CHECKOUT

__all__ = ["POSTGRES_URL", "ROOT", "RunningTool", "free_port", "postgres_available"]

ROOT = CHECKOUT  # the tool runs from the checkout, which is also its PYTHONPATH
POSTGRES_URL = os.environ.get("KOULA_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_available() -> bool:
    """True when the PostgreSQL server of ``POSTGRES_URL`` answers."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except Exception:
        return False


class RunningTool:
    """``koula serve`` on a free loopback port with its own data folder and database.

    ``stop()`` ends the process (and drops the PostgreSQL database).
    """

    def __init__(
        self, data_dir: Path, *, backend: str = "sqlite", worker: bool = True, **env: str
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = ""
        self.env = {
            **os.environ,
            "KOULA_DATA_DIR": str(data_dir),
            "KOULA_BASE_URL": self.url,
            "KOULA_HTTP_TIMEOUT": "2",
            "KOULA_RETRY_BASE_SECONDS": "0.2",
            "KOULA_WORKER_INTERVAL": "0.1",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        if backend == "postgres":
            self.database = f"koula_test_{secrets.token_hex(4)}"
            self._admin(f'CREATE DATABASE "{self.database}"')
            self.env["KOULA_DATABASE_URL"] = POSTGRES_URL.rsplit("/", 1)[0] + "/" + self.database
        self.log_path = data_dir / "tool.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "koula.cli",
                "serve",
                "--port",
                str(self.port),
                *([] if worker else ["--no-worker"]),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(sql)

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"koula serve stopped:\n{self.log_path.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"koula serve did not start:\n{self.log_path.read_text()}")

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start one more ``koula worker`` process on this tool's database."""
        return subprocess.Popen(
            [sys.executable, "-m", "koula.cli", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def koula(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a ``koula`` command against this tool's data; return the finished process."""
        return subprocess.run(
            [sys.executable, "-m", "koula.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def invite(self, *options: str) -> str:
        """A fresh registration link from ``koula platforms invite``, as an admin copies it."""
        done = self.koula("platforms", "invite", *options)
        assert done.returncode == 0, done.stdout + done.stderr
        (link,) = re.findall(rf"{re.escape(self.url)}/lti/register/[A-Za-z0-9_-]+", done.stdout)
        return link

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Run ``query`` (``%s`` placeholders) on the tool's database and commit; its rows."""
        if self.database:
            import psycopg

            with psycopg.connect(self.env["KOULA_DATABASE_URL"]) as connection:
                cursor = connection.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        connection = sqlite3.connect(f"{self.env['KOULA_DATA_DIR']}/koula.sqlite3", timeout=30)
        try:
            with connection:
                return connection.execute(query.replace("%s", "?"), params).fetchall()
        finally:
            connection.close()

    def register(self, platform: Any, client_id: str, deployment_id: str) -> None:
        """Register ``platform`` with the tool (koula platforms add) and the tool with it."""
        done = self.koula(
            "platforms",
            "add",
            "--issuer",
            platform.issuer,
            "--client-id",
            client_id,
            "--deployment-id",
            deployment_id,
            "--auth-login-url",
            platform.auth_url,
            "--auth-token-url",
            platform.token_url,
            "--keyset-url",
            platform.jwks_url,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        platform.add_tool(
            client_id,
            deployment_id,
            login_url=f"{self.url}/lti/login",
            launch_url=f"{self.url}/lti/launch",
            jwks_url=f"{self.url}/lti/jwks.json",
            deep_link_url=f"{self.url}/lti/launch",
        )

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()
        if self.database:
            self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
