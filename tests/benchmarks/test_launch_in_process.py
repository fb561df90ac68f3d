"""The in-process launch benchmark answers every login and launch of both tools with the
activity page (it prints figures and asserts nothing about them)."""

from __future__ import annotations

import re

from tests.benchmarks.script_runs import run_script


def test_a_short_run_prints_each_tools_cpu_per_login_and_launch_with_every_page_answered():
    printed = run_script("launch_in_process", "--learners", "8")
    for kind in ("koula", "floor"):
        line = (
            rf"^{kind}: [\d.]+ ms CPU per login \+ launch in process \(login [\d.]+ ms, "
            rf"launch [\d.]+ ms; 8 learners, SQLite\)$"
        )
        assert re.search(line, printed, re.M), printed
