"""The server-cost benchmark prints gunicorn's share and the warm and cold figures (it asserts
nothing about them)."""

from __future__ import annotations

import re

from tests.benchmarks.script_runs import run_script


def test_the_server_cost_run_prints_gunicorns_share_and_the_warm_and_cold_figures():
    printed = run_script("server_cost", "--requests", "40")
    for label in ("a bare WSGI application", "the same, the whole tool imported", "GET /healthz"):
        line = rf"^.*{re.escape(label)}.* [\d.]+ ms CPU per request$"
        assert re.search(line, printed, re.M), printed
    for caches in ("caches warm", "caches evicted"):
        assert re.search(rf"in process, {caches}.* [\d.]+ ms CPU$", printed, re.M), printed
