"""A request's id (lti/logs.py): the proxy's when valid, else a new one, unique per request
and per process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from lti.logs import new_request_id, request_id_for

ROOT = Path(__file__).resolve().parents[2]


def test_a_new_id_is_32_hexadecimal_digits_and_never_repeats():
    ids = [new_request_id() for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", one) for one in ids)
    assert len(set(ids)) == len(ids)


FORKING = """
import os
from lti.logs import new_request_id
reading, writing = os.pipe()
child = os.fork()
if child == 0:  # gunicorn's workers are forked as this child is
    os.write(writing, new_request_id().encode())
    os._exit(0)
os.close(writing)
os.waitpid(child, 0)
print(os.read(reading, 64).decode(), new_request_id())
"""


def test_a_forked_process_makes_ids_of_its_own():
    # Forked from a process of one thread (this test's may run others), as gunicorn forks.
    done = subprocess.run(
        [sys.executable, "-c", FORKING], capture_output=True, text=True, check=True, cwd=ROOT
    )
    theirs, ours = done.stdout.split()
    assert re.fullmatch(r"[0-9a-f]{32}", theirs) and re.fullmatch(r"[0-9a-f]{32}", ours)
    assert theirs[:16] != ours[:16]  # another random half: no id of theirs can be one of ours


def test_the_proxys_valid_id_is_kept_and_another_replaced():
    assert request_id_for({"HTTP_X_REQUEST_ID": "abc-123"}) == "abc-123"
    replaced = request_id_for({"HTTP_X_REQUEST_ID": "bad id\n"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)
    assert request_id_for({}) != request_id_for({})
