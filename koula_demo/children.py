"""How the demo starts the Koula LTI tool and the Open edX workbench as child processes,
and asks the tool for a registration link as its administrator would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

from koula_demo.processes import Child, start_child

__all__ = [
    "CHECKOUT",
    "invite_tool",
    "mailbox_of",
    "run_reminders",
    "start_tool",
    "start_workbench",
    "workbench_available",
]

CHECKOUT = Path(__file__).resolve().parents[1]
# The workbench runs from a checkout: migrate its database, then serve (one process).
WORKBENCH_SCRIPT = """
import sys
import django
from django.core.management import call_command, execute_from_command_line
django.setup()
call_command("migrate", verbosity=0)
execute_from_command_line(["django", "runserver", "--noreload", sys.argv[1]])
"""


def workbench_available() -> bool:
    """True in a Koula checkout (``devtools/``) with xblock-sdk and edx-submissions installed."""
    return (
        (CHECKOUT / "devtools" / "workbench_settings.py").is_file()
        and find_spec("workbench") is not None
        and find_spec("submissions") is not None
    )


def mailbox_of(data_dir: Path) -> Path:
    """The folder the demo's tool writes its e-mails to (the sandbox's mailbox page)."""
    return data_dir / "mailbox"


def _tool_env(folder: Path, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "KOULA_DATA_DIR": str(folder),
        "KOULA_BASE_URL": f"http://127.0.0.1:{port}",
        "KOULA_WORKER_INTERVAL": "0.5",
        # No SMTP in the demo: each e-mail is a file in <data>/mailbox (lti/mail.py).
        "KOULA_EMAIL_URL": f"mailbox://{mailbox_of(folder.parent)}",
        "KOULA_EMAIL_FROM": "Koula <koula@sandbox.example>",
    }
    env.pop("KOULA_DATABASE_URL", None)  # the demo stays on embedded SQLite
    return env


def start_tool(data_dir: Path, port: int, env: dict[str, str] | None = None) -> Child:
    """``koula serve`` on its own data folder (embedded SQLite), its worker in-process;
    ``env`` adds variables (the LRS's, ``KOULA_XAPI_*``)."""
    folder = data_dir / "tool"
    folder.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "koula.cli", "serve", "--port", str(port)]
    return start_child(
        "koula serve",
        argv,
        env={**_tool_env(folder, port), **(env or {})},
        cwd=folder,
        log_path=data_dir / "logs" / "tool.log",
    )


def invite_tool(data_dir: Path, port: int) -> str:
    """A single-use registration link from ``koula platforms invite`` on the tool's data,
    as the tool's administrator makes one; raise RuntimeError if the command fails."""
    folder = data_dir / "tool"
    argv = [sys.executable, "-m", "koula.cli", "--lang", "en", "platforms", "invite"]
    argv += ["--expires", "1", "--note", "koula demo sandbox"]
    done = subprocess.run(
        argv,
        env=_tool_env(folder, port),
        cwd=folder,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    link = re.search(rf"http://127\.0\.0\.1:{port}/lti/register/[A-Za-z0-9_-]+", done.stdout)
    if done.returncode != 0 or link is None:
        raise RuntimeError(
            f"koula platforms invite failed (status {done.returncode}):\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return link.group(0)


def run_reminders(data_dir: Path, port: int, day: str, language: str) -> str:
    """``koula reminders run --today <day>`` on the tool's data; return what it printed."""
    folder = data_dir / "tool"
    argv = [sys.executable, "-m", "koula.cli", "--lang", language, "reminders", "run"]
    done = subprocess.run(
        [*argv, "--today", day],
        env=_tool_env(folder, port),
        cwd=folder,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return (done.stdout + done.stderr[-2000:]).strip()


def start_workbench(data_dir: Path, port: int) -> Child:
    """The xblock-sdk workbench with the Koula scenarios, its database in the data folder."""
    folder = data_dir / "workbench"
    folder.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devtools.workbench_settings",
        "KOULA_WORKBENCH_VAR": str(folder),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH")])),
    }
    argv = [sys.executable, "-c", WORKBENCH_SCRIPT, f"127.0.0.1:{port}"]
    return start_child(
        "Open edX workbench",
        argv,
        env=env,
        cwd=CHECKOUT,
        log_path=data_dir / "logs" / "workbench.log",
    )
