"""The in-process action benchmark answers every action of both tools (it prints figures and
asserts nothing about them)."""

from __future__ import annotations

import re

from tests.benchmarks.script_runs import run_script


def test_a_short_run_prints_each_tools_cpu_per_action_with_every_action_answered():
    printed = run_script("action_in_process", "--learners", "24")
    for kind in ("koula", "floor"):
        line = rf"^{kind}: [\d.]+ ms CPU per action in process \(8 actions, SQLite\)$"
        assert re.search(line, printed, re.M), printed
