"""Many learners act at the same moment in the real workbench, and staff still read every record.

Twenty learners each submit their practice card, all at once, over and over
(a barrier lines up every round), through the workbench's real handler URLs
and its threaded server. The records go to the real edx-submissions tables of
the workbench's database. The workbench cannot mark a user as staff, so the
records are read as ``staff_records`` reads them (``compat.record_store`` then
``records_listing``), in a separate process with the workbench's settings.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from koula.library import get_template
from koula.template import FieldType, Part
from koula_xblock.scenarios import workbench_scenarios
from tests.e2e.servers import ROOT

pytestmark = pytest.mark.e2e

LEARNERS = 20
ROUNDS = 5
SCENARIO = 3  # not used by the other end-to-end tests
TEMPLATE = get_template(
    re.search(r'template_id="([^"]+)"', workbench_scenarios()[SCENARIO][1]).group(1)
)

READ_RECORDS = """
import json, sys
from types import SimpleNamespace

import django

django.setup()
from submissions import api

from koula_xblock import compat
from koula_xblock.records import SubmissionsRecordStore, item_key, records_listing

usage_id, learners = sys.argv[1], sys.argv[2:]
runtime = SimpleNamespace(service=lambda block, name: None)
block = SimpleNamespace(scope_ids=SimpleNamespace(usage_id=usage_id), runtime=runtime)
store = compat.record_store(block)
rows = {
    learner: len(api.get_submissions({**item_key(block), "student_id": learner}))
    for learner in learners
}
print(json.dumps({
    "store": type(store).__name__,
    "listing": records_listing(store, block),
    "rows": rows,
}))
"""


def card(learner: str, round_: int) -> dict[str, object]:
    """A complete practice card whose every text answer says who wrote it, and when."""
    values: dict[str, object] = {}
    for field in TEMPLATE.fields_of(Part.DELIVERABLE):
        if field.type in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT):
            values[field.key] = f"{learner} r{round_}"
        elif field.required:
            values[field.key] = {
                FieldType.RATING: 3,
                FieldType.CHOICE: field.choice_values()[0] if field.choices else None,
                FieldType.LIST: [f"{learner} r{round_}"],
                FieldType.URL: "https://example.org/card",
                FieldType.DATE: "2026-12-01",
            }[field.type]
    return values


class Workbench:
    """Handler calls to one scenario's block with the workbench's CSRF cookie."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar := http.cookiejar.CookieJar())
        )
        with self.opener.open(f"{url}/scenario/koula.{SCENARIO}/?student=records-staff") as page:
            html = page.read().decode()
        self.usage_id = re.search(r"data-usage='([^']+)'", html).group(1)
        self.csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")

    def post(self, handler: str, learner: str, body: dict[str, object]) -> tuple[int, dict]:
        request = urllib.request.Request(
            f"{self.url}/handler/{self.usage_id}/{handler}/?student={learner}",
            data=json.dumps(body).encode(),
            headers={"X-CSRFToken": self.csrf, "Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, {"body": error.read().decode(errors="replace")[:500]}


def read_records(var: Path, usage_id: str, learners: list[str]) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devtools.workbench_settings",
        "KOULA_WORKBENCH_VAR": str(var),
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-c", READ_RECORDS, usage_id, *learners],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_concurrent_learners_never_lose_a_record(workbench):
    url, var = workbench
    bench = Workbench(url)
    learners = [f"records-learner-{n}" for n in range(LEARNERS)]
    barrier = threading.Barrier(LEARNERS, timeout=120)
    answers: dict[str, list[int]] = {learner: [] for learner in learners}
    spans: list[tuple[float, float]] = []

    def act(learner: str) -> None:
        for round_ in range(ROUNDS):
            barrier.wait()
            started = time.monotonic()
            body = {"values": card(learner, round_)}
            status, answer = bench.post("submit_deliverable", learner, body)
            spans.append((started, time.monotonic()))
            answers[learner].append(status)
            if status != 200:
                print(learner, round_, status, answer)

    threads = [threading.Thread(target=act, args=(learner,)) for learner in learners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert all(statuses == [200] * ROUNDS for statuses in answers.values()), answers
    overlapping = max(sum(s < end and start < e for s, e in spans) for start, end in spans)
    assert overlapping > 1, "the requests never overlapped: nothing concurrent was tested"

    found = read_records(var, bench.usage_id, learners)
    assert found["store"] == "SubmissionsRecordStore"
    assert found["rows"] == dict.fromkeys(learners, ROUNDS)  # every action's row is there
    newest = {
        row["learner_id"]: row["record"]
        for row in found["listing"]["records"]
        if row["learner_id"] in learners
    }
    assert sorted(newest) == sorted(learners)
    for learner, record in newest.items():
        assert record["deliverable"]["status"] == "submitted"
        assert record["deliverable"]["values"] == card(learner, ROUNDS - 1)
        assert record["progress"]["activity"] == "InProgress"
