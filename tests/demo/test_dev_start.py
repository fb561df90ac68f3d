"""``./dev start``: it says what it installs, and skips the install when nothing changed.

The venv here is a small fake (its ``python`` runs the real one, except ``-m pip``, which
only writes down that it ran; its ``koula`` only writes down that the demo started), so
these tests show what ``dev`` decides without a 90-second install.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def venv(tmp_path: Path) -> Path:
    folder = tmp_path / "venv"
    (folder / "bin").mkdir(parents=True)
    log = tmp_path / "calls.log"
    python = f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = pip ]; then
  echo "pip $*" >>"{log}"
  echo "Requirement already satisfied: django"
  echo "Collecting xblock-sdk"
  exit "${{FAKE_PIP_STATUS:-0}}"
fi
exec "{sys.executable}" "$@"
"""
    koula = f"""#!/bin/sh
echo "koula $*" >>"{log}"
"""
    for name, text in (("python", python), ("koula", koula)):
        script = folder / "bin" / name
        script.write_text(text)
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def start(venv: Path, **environment: str) -> tuple[int, str, list[str]]:
    """Run ``./dev start`` with the fake venv; return its status, its output and the calls."""
    log = venv.parent / "calls.log"
    log.write_text("")
    inherited = {name: value for name, value in os.environ.items() if name != "KOULA_REINSTALL"}
    env = {**inherited, "KOULA_VENV": str(venv), "PORT": "8123", **environment}
    done = subprocess.run(
        [str(ROOT / "dev"), "start"], env=env, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout + done.stderr, log.read_text().splitlines()


def test_the_first_start_installs_showing_pips_progress_then_runs_the_demo(venv):
    status, output, calls = start(venv)

    assert status == 0, output
    assert "==> Installing Koula and its test tools" in output
    assert "Collecting xblock-sdk" in output
    assert "Requirement already satisfied" not in output
    assert calls[0].startswith("pip -m pip install")
    assert calls[1].startswith("koula demo --port 8123")


def test_a_later_start_with_nothing_changed_skips_the_install(venv):
    start(venv)

    status, output, calls = start(venv)

    assert status == 0, output
    assert "pyproject.toml unchanged" in output
    assert [call.split()[:2] for call in calls] == [["koula", "demo"]]


def test_a_start_after_pyproject_or_python_changed_installs_again(venv):
    start(venv)
    (venv / ".koula-installed").write_text("made from another pyproject.toml\n")

    status, output, calls = start(venv)

    assert status == 0, output
    assert calls[0].startswith("pip ")


def test_koula_reinstall_forces_the_install(venv):
    start(venv)

    status, output, calls = start(venv, KOULA_REINSTALL="1")

    assert status == 0, output
    assert calls[0].startswith("pip ")


def test_a_failed_install_stops_the_start_and_is_tried_again_next_time(venv):
    status, output, calls = start(venv, FAKE_PIP_STATUS="3")

    assert status == 3
    assert "The install failed (pip exit status 3)" in output
    assert [call.split()[0] for call in calls] == ["pip"]

    status, output, calls = start(venv)

    assert status == 0, output
    assert calls[0].startswith("pip ")
