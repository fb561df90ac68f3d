"""The xAPI delivery benchmark runs end to end at a tiny size, so the script cannot rot."""

from __future__ import annotations

import re

from koula_demo.lrs import lrs_python
from koula_demo.tool_process import postgres_available
from tests.benchmarks.test_lti_benchmarks import database_exists, database_of, run
from tests.conftest import need_real_component


def test_the_xapi_benchmark_delivers_every_statement_once_to_the_real_lrs():
    need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    need_real_component(lrs_python() is not None, "Ralph's LRS (ralph-malph[lrs], ./dev test)")
    done = run("xapi_delivery.py", "--statements", "40", "--batches", "7,50")
    assert done.returncode == 0, done.stderr
    for batch, posts in ((7, 6), (50, 1)):
        assert re.search(
            rf"batch {batch}: 40 of 40 delivered in [\d.]+ s: \d+ statements/s by one worker "
            rf"\({posts} POSTs\); read back from the LRS: 40 statements, 40 ids",
            done.stdout,
        ), done.stdout
    assert not database_exists(database_of(done.stdout))
