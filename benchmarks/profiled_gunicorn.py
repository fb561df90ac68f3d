"""Gunicorn configuration for ``launch_cost.py --profile``: Koula's own, its workers profiled.

Before each request a worker looks for a file named ``phase`` in ``KOULA_PROFILE_DIR``:
while it names a phase (``launch``, ``action``), the worker's CPU time (gunicorn's request
parsing and access log included; waits are not counted) goes to that phase's
:mod:`cProfile` profile; each is written to ``<phase>-<pid>.prof`` in the folder when the
worker exits.
"""

from __future__ import annotations

import cProfile
import os
import time
from pathlib import Path
from typing import Any

from lti.gunicorn_conf import *  # noqa: F403 - the production settings, unchanged

_profiles: dict[str, cProfile.Profile] = {}
_current: list[str] = [""]


def _phase() -> str:
    try:
        return (Path(os.environ["KOULA_PROFILE_DIR"]) / "phase").read_text().strip()
    except OSError:
        return ""


def pre_request(worker: Any, req: Any) -> None:
    phase = _phase()
    if phase == _current[0]:
        return
    if _current[0]:
        _profiles[_current[0]].disable()
    if phase:
        _profiles.setdefault(phase, cProfile.Profile(time.process_time)).enable()
    _current[0] = phase


def worker_exit(server: Any, worker: Any) -> None:
    if _current[0]:
        _profiles[_current[0]].disable()
    for phase, profile in _profiles.items():
        folder = Path(os.environ["KOULA_PROFILE_DIR"])
        profile.dump_stats(str(folder / f"{phase}-{os.getpid()}.prof"))
