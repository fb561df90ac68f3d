"""No outbound call can exhaust the web server (issue 9, point 4).

Twenty dynamic registrations (each through a valid invitation) point at a server that
drips its answer one byte a second: ``/healthz`` still answers within a second, because
at most ``KOULA_REGISTRATION_SLOTS`` registrations wait on a platform at once (the others
get a 503 "try again" page at once) and each waits at most its time budget. A roster that
never answers holds at most ``KOULA_ROSTER_SLOTS`` staff views, for its budget, and is
asked once per ``KOULA_ROSTER_CACHE_SECONDS``.

The acceptance figure (``/healthz`` within 1 s) is the client's timeout; the measured
times are printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from koula_demo.lms import app as platform_app
from koula_demo.lms import browser_session
from koula_demo.lms.constants import ROLE_INSTRUCTOR
from koula_demo.tool_process import RunningTool
from tests.e2e.servers import ROOT
from tests.lti.conftest import CLIENT_ID, CONFIGURED
from tests.lti.outbound_servers import dripping

ATTEMPTS = 20
HEALTHZ_SECONDS = 1.0  # the acceptance figure


@pytest.fixture(scope="module")
def slow_tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningTool]:
    """``koula serve`` as shipped (8 threads), each outbound request given 2 s."""
    tool = RunningTool(tmp_path_factory.mktemp("slow-tool"))
    yield tool
    tool.stop()


def invitations(tool: RunningTool, count: int) -> list[str]:
    """``count`` open registration links, made in one process by the invitations service."""
    script = (
        "import json\n"
        "from lti.cli import setup\n"
        "setup()\n"
        "from lti.services.invitations import invitation_create\n"
        f"print(json.dumps([invitation_create(hours=1, note='drip').url for _ in range({count})]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=tool.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    links: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return [tool.url + urlsplit(link).path for link in links]


def healthz(tool: RunningTool) -> float:
    """Seconds ``/healthz`` took to answer 200 (it must, within HEALTHZ_SECONDS)."""
    started = time.monotonic()
    answer = requests.get(f"{tool.url}/healthz", timeout=HEALTHZ_SECONDS)
    assert answer.status_code == 200
    return time.monotonic() - started


def test_healthz_answers_within_a_second_while_twenty_registrations_hang(slow_tool):
    links = invitations(slow_tool, ATTEMPTS)
    with dripping() as drip:
        query = urlencode(
            {"openid_configuration": f"{drip.url}/openid", "registration_token": "token"}
        )
        with ThreadPoolExecutor(ATTEMPTS) as pool:
            answers = [pool.submit(requests.get, f"{link}?{query}", timeout=120) for link in links]
            time.sleep(0.5)  # every attempt has reached the tool
            waits = [healthz(slow_tool) for _ in range(3)]
            statuses = [answer.result().status_code for answer in answers]
        connections = drip.connections
    print(
        f"\n/healthz with {ATTEMPTS} registrations on a 1 byte/s server: "
        + ", ".join(f"{wait * 1000:.0f} ms" for wait in waits)
    )
    busy = [a.result() for a in answers if a.result().status_code == 503]
    assert busy and all(a.headers["Retry-After"] for a in busy)
    assert "busy with other registrations" in busy[0].text
    assert statuses.count(400) == ATTEMPTS - len(busy)  # the others ran out of time
    assert connections == statuses.count(400) <= 2  # KOULA_REGISTRATION_SLOTS
    assert healthz(slow_tool) < HEALTHZ_SECONDS


def test_a_roster_that_never_answers_holds_few_staff_views_briefly_and_is_asked_once(
    tool, platform, monkeypatch
):
    calls: list[float] = []
    lock = threading.Lock()
    memberships = platform_app.HANDLERS["memberships"]

    def never_answers(platform_: Any, request: Any, context_id: str) -> Any:
        with lock:
            calls.append(time.monotonic())
        platform_.wait(60)  # until the platform closes
        return memberships(platform_, request, context_id)

    monkeypatch.setitem(platform_app.HANDLERS, "memberships", never_answers)
    platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user="l-1")

    def staff_view(who: str) -> requests.Response:
        return platform.launch(
            browser_session(),
            client_id=CLIENT_ID,
            custom=CONFIGURED,
            user=who,
            roles=[ROLE_INSTRUCTOR],
        )

    started = time.monotonic()
    with ThreadPoolExecutor(10) as pool:
        views = [pool.submit(staff_view, f"teacher-{n}") for n in range(10)]
        time.sleep(0.5)
        wait = healthz(tool)
        pages = [view.result() for view in views]
    elapsed = time.monotonic() - started
    print(f"\n/healthz with 10 staff views on a silent roster: {wait * 1000:.0f} ms")
    print(f"10 staff views on a silent roster all answered in {elapsed:.1f} s")
    assert all(page.status_code == 200 for page in pages)
    assert all("could not read the platform" in page.text for page in pages)
    assert len(calls) <= 2  # KOULA_ROSTER_SLOTS
    again = staff_view("teacher-again")
    assert "could not read the platform" in again.text
    assert len(calls) <= 2  # the failure is cached: the roster is not asked again
