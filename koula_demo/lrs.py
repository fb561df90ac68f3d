"""A real Learning Record Store on loopback: Ralph (France Université Numérique), if installed.

Ralph and its server (``ralph-malph[lrs]``) are in the ``test`` extra, so ``./dev test``
and ``./dev start`` install it beside Koula; ``KOULA_LRS_PYTHON`` may name another Python
that has it (a venv of its own, should its pins ever clash with Koula's).
:class:`RunningLrs` runs Ralph's API (``ralph.api:app`` under uvicorn) with its file-system
backend (see ``SERVE``) in a data folder and one Basic auth user; the xAPI tests, the benchmark and
``koula demo`` send statements to it and read them back through its own statements API
(:meth:`RunningLrs.statements`).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from koula_demo.ports import bindable
from koula_demo.processes import Child, start_child, stop_children

__all__ = ["RunningLrs", "demo_lrs", "lrs_python", "start_demo_lrs", "xapi_env"]

# Ralph 5.1.0's file-system LRS backend writes each POST in "create" mode, so its file takes
# one write and every later POST fails (HTTP 500): it is started writing in append mode, the
# rest as shipped (validation, duplicate ids, the statements API).
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), access_log=False)
"""
HASH = "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())"


def lrs_python() -> Path | None:
    """The Python that has Ralph's server (``KOULA_LRS_PYTHON``, else this one), or None."""
    named = os.environ.get("KOULA_LRS_PYTHON")
    path = Path(named) if named else Path(sys.executable)
    if not path.is_file():
        return None
    check = "import ralph.conf, bcrypt, fastapi, uvicorn"  # ralph.api needs a backend set
    found = subprocess.run([str(path), "-c", check], capture_output=True, timeout=60)
    return path if found.returncode == 0 else None


class RunningLrs:
    """Ralph's LRS API on ``127.0.0.1:port`` with its statements in ``folder``.

    ``url`` is the xAPI base (``KOULA_XAPI_URL``), ``key`` and ``secret`` its Basic auth.
    :meth:`stop` and :meth:`start` stop and start the server on the same port and data
    (an outage); the statements stay in ``folder``.
    """

    def __init__(
        self, folder: Path, port: int, *, python: Path | None = None, start: bool = True
    ) -> None:
        found = python or lrs_python()
        if found is None:
            raise RuntimeError("Ralph is not installed: run ./dev test, or set KOULA_LRS_PYTHON")
        self.python, self.folder, self.port = found, folder, port
        self.url = f"http://127.0.0.1:{port}/xAPI"
        self.key, self.secret = "koula", secrets.token_urlsafe(16)
        folder.mkdir(parents=True, exist_ok=True)
        self._write_auth()
        self.child: Child | None = None
        if start:
            self.start()

    def _write_auth(self) -> None:
        hashed = subprocess.run(
            [str(self.python), "-c", HASH, self.secret],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        user = {
            "agent": {"objectType": "Agent", "mbox": "mailto:lrs@example.org", "name": "koula"},
            "scopes": ["all"],
            "hash": hashed,
            "username": self.key,
        }
        (self.folder / "auth.json").write_text(json.dumps([user]))

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RALPH_APP_DIR": str(self.folder),
            "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder),
            "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000",
        }

    def start(self, seconds: float = 60.0) -> None:
        """Start the server and wait until it answers."""
        argv = [str(self.python), "-c", SERVE, str(self.port)]
        self.child = start_child(
            "ralph LRS", argv, env=self._env(), cwd=self.folder, log_path=self.folder / "lrs.log"
        )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.child.process.poll() is not None:
                raise RuntimeError(f"the LRS stopped:\n{self.child.log_tail()}")
            try:
                if requests.get(f"{self.url.rsplit('/', 1)[0]}/__heartbeat__", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the LRS did not answer within {seconds:.0f} s")

    def stop(self) -> None:
        """Stop the server (its statements stay in the data folder)."""
        if self.child is not None:
            stop_children([self.child], lambda line: None)
            self.child = None

    def statements(self, **query: str) -> list[dict[str, Any]]:
        """Every statement the LRS holds that matches ``query`` (xAPI's GET parameters),
        read through its statements API, following ``more`` links."""
        found: list[dict[str, Any]] = []
        url: str | None = f"{self.url}/statements"
        params: dict[str, str] | None = {"limit": "1000", **query}
        origin = self.url.rsplit("/xAPI", 1)[0]
        while url:
            answer = requests.get(
                url,
                params=params,
                auth=(self.key, self.secret),
                headers={"X-Experience-API-Version": "1.0.3"},
                timeout=30,
            )
            answer.raise_for_status()
            body = answer.json()
            found += body["statements"]
            more = body.get("more") or ""
            url, params = (origin + more if more.startswith("/") else more) or None, None
        return found


def xapi_env(lrs: RunningLrs | None) -> dict[str, str]:
    """The tool's variables that send its statements to ``lrs`` (none without one)."""
    if lrs is None:
        return {}
    return {"KOULA_XAPI_URL": lrs.url, "KOULA_XAPI_KEY": lrs.key, "KOULA_XAPI_SECRET": lrs.secret}


def demo_lrs(data_dir: Path, port: int) -> RunningLrs | None:
    """``koula demo``'s LRS in ``data_dir/lrs`` on ``port``, not started yet (its URL and
    password are known, so the tool can start first), or None when Ralph is not installed
    or the port is taken: the demo then runs without xAPI."""
    if not bindable(port) or lrs_python() is None:
        return None
    return RunningLrs(data_dir / "lrs", port, start=False)


def start_demo_lrs(lrs: RunningLrs | None) -> RunningLrs | None:
    """Start ``lrs``; return it, or None when it could not start (its log says why:
    ``<data>/lrs/lrs.log``; the tool's statements then wait in its outbox)."""
    if lrs is None:
        return None
    try:
        lrs.start()
    except RuntimeError:
        lrs.stop()
        return None
    return lrs
