"""The LTI series benchmarks run end to end at a tiny size, so the scripts cannot rot.

They print figures and assert nothing themselves; these tests only check that each runs on
a throwaway PostgreSQL database, prints its figures, and drops the database at the end.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import psycopg
import pytest

from koula_demo.tool_process import POSTGRES_URL, ROOT, free_port, postgres_available
from tests.conftest import need_real_component

TINY = ["--sessions", "2", "--learners", "20", "--repeat", "1"]


def run(script: str, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **environment},
    )


def database_exists(name: str) -> bool:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def database_of(output: str) -> str:
    found = re.search(r"database (koula_lti_bench_\w+)", output)
    assert found, output
    return found.group(1)


def test_the_series_report_benchmark_prints_the_report_and_csv_figures_of_a_tiny_course():
    need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    done = run("lti_series_report.py", *TINY)
    assert done.returncode == 0, done.stderr
    assert "2 sessions x 20 learners = 40 records" in done.stdout
    assert re.search(r"series report: 40 rows in [\d.]+ s .*, \d+ SQL queries, peak", done.stdout)
    assert re.search(r"series CSV: 40 rows, .*, \d+ SQL queries, peak", done.stdout)
    assert not database_exists(database_of(done.stdout))


def test_the_reminder_pass_benchmark_sends_the_reminders_due_once_then_none_the_same_day():
    need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    done = run("lti_reminder_pass.py", "--sessions", "2", "--learners", "20")
    assert done.returncode == 0, done.stderr
    assert "2 sessions x 20 learners = 40 open commitments" in done.stdout
    first = re.search(r"first pass on 2026-12-01: .* SQL queries, peak .*; (\d+) sent", done.stdout)
    assert first and int(first.group(1)) > 0, done.stdout
    assert f"{first.group(1)} e-mails written" in done.stdout
    assert re.search(
        rf"second pass the same day: .*; 0 sent, .* {first.group(1)} already sent", done.stdout
    )
    assert not database_exists(database_of(done.stdout))


@pytest.mark.parametrize("script", ["lti_series_report.py", "lti_reminder_pass.py"])
def test_a_benchmark_without_postgresql_stops_at_once_and_says_what_it_needs(script):
    nobody = f"postgresql://postgres@127.0.0.1:{free_port()}/test"
    done = run(script, "--learners", "20", KOULA_TEST_POSTGRES=nobody)
    assert done.returncode != 0
    assert f"needs PostgreSQL at {nobody}" in done.stderr
    assert "Traceback" not in done.stderr
