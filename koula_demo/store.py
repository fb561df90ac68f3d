"""The sandbox's memory in SQLite: its keys, the registered tool, placed activities, grades.

One row per saved state (JSON) in ``sandbox.sqlite3`` in the demo's data folder, so a
restarted demo finds its course, its activities and its gradebook as they were, and the
tool keeps trusting the same platform keys. A state saved for another URL (another
``--port``) is not reused: the tool registered that URL as the platform's issuer.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

__all__ = ["StateStore"]


class StateStore:
    """Reads and writes the sandbox's state as one JSON document."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        with self._connect() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS sandbox_state (name TEXT PRIMARY KEY, body TEXT)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def load(self, url: str) -> dict[str, Any] | None:
        """The state saved for the sandbox at ``url``, or ``None``."""
        with self._lock, self._connect() as connection:
            row = connection.execute(
                "SELECT body FROM sandbox_state WHERE name = ?", (url,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def save(self, url: str, state: dict[str, Any]) -> None:
        body = json.dumps(state)
        with self._lock, self._connect() as connection:
            connection.execute(
                "INSERT INTO sandbox_state (name, body) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET body = excluded.body",
                (url, body),
            )
