"""A configuration error in the environment is one line on standard error and exit status 2
for every ``koula`` command of the tool (lti/cli.py), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [
    ("platforms", "list"),
    ("learners", "export", "--issuer", "https://lms.example.org", "--sub", "ana"),
    ("xapi", "retry"),
    ("report", "export", "--activity", "1"),
]
BAD = [
    ({"KOULA_RETENTION_DAYS": "-3"}, "KOULA_RETENTION_DAYS"),
    ({"KOULA_XAPI_URL": "https://lrs.example.org/xAPI"}, "KOULA_XAPI_KEY"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize(("bad", "named"), BAD, ids=["retention", "xapi"])
def test_a_bad_setting_is_said_in_one_line_and_exits_2(command, bad, named):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOULA_")}
    env["DJANGO_SETTINGS_MODULE"] = "lti.settings"
    done = subprocess.run(
        [sys.executable, "-m", "koula.cli", *command],
        cwd=ROOT,
        env={**env, **bad},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("koula: ") and named in done.stderr
