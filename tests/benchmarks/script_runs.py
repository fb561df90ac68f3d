"""Running a benchmark script as its user would, from the project's root."""

from __future__ import annotations

import subprocess
import sys

from koula_demo.tool_process import ROOT


def run_script(name: str, *args: str) -> str:
    """Run ``benchmarks/<name>.py`` with ``args``; return what it printed (it must succeed)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout
