"""``koula demo`` runs as one process tree that a signal stops whole (koula_demo/run.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from devtools.running_demo import RunningDemo, alive, descendants

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_demo_and_every_process_it_started(tmp_path, signum):
    demo = RunningDemo(tmp_path / "data", "--no-workbench")
    try:
        url = demo.wait_until_ready()
        assert requests.get(f"{url}/", timeout=10).status_code == 200
        children = descendants(demo.process.pid)
        assert children, "the demo started no process"
        assert demo.stop(signum) == 0
    finally:
        if demo.process.poll() is None:
            demo.kill()
    assert [pid for pid in children if alive(pid)] == []
    assert "stopped" in demo.text()


def test_the_demo_prints_one_url_the_sandbox_home_page(tmp_path):
    demo = RunningDemo(tmp_path / "data", "--no-workbench")
    try:
        url = demo.wait_until_ready()
        assert url == f"http://127.0.0.1:{demo.port}"
        home = requests.get(f"{url}/", timeout=10)
        assert "Koula sandbox LMS" in home.text
        assert "Registered by LTI dynamic registration" in home.text
    finally:
        demo.stop()
    assert demo.text().count("http://") == 1


def test_a_taken_port_is_refused_with_a_clear_message_and_nothing_is_started(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        tool_port = taken.getsockname()[1]
        demo = RunningDemo(tmp_path / "data", "--no-workbench", port=tool_port - 1)
        status = demo.wait_for_exit()
    assert status == 2
    assert f"Port {tool_port} is already in use" in demo.text()
    assert "the Koula LTI tool" in demo.text() and "--port" in demo.text()
    assert not (tmp_path / "data").exists()


def invitations(data_dir: Path, port: int) -> list[str]:
    """``koula platforms invites --all`` on the demo tool's data: one line per invitation."""
    done = subprocess.run(
        [sys.executable, "-m", "koula.cli", "--lang", "en", "platforms", "invites", "--all"],
        env={**os.environ, "KOULA_DATA_DIR": str(data_dir / "tool"),
             "KOULA_BASE_URL": f"http://127.0.0.1:{port + 1}"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_a_restarted_demo_finds_its_registration_again(tmp_path):
    first = RunningDemo(tmp_path / "data", "--no-workbench")
    try:
        url = first.wait_until_ready()
        client_id = requests.get(f"{url}/", timeout=10).text.split("<dt>Client id</dt><dd><code>")[
            1
        ]
    finally:
        first.stop()
    client_id = client_id.split("<")[0]
    (used,) = invitations(tmp_path / "data", first.port)  # the demo registered by invitation
    assert f"client_id={client_id})" in used and "koula demo sandbox" in used
    second = RunningDemo(tmp_path / "data", "--no-workbench", port=first.port)
    try:
        home = requests.get(f"{second.wait_until_ready()}/", timeout=10).text
    finally:
        second.stop()
    assert client_id in home
    assert invitations(tmp_path / "data", first.port) == [used]  # no new invitation
