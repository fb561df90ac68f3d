"""A request's id (lti/logs.py): the proxy's when valid, else a new one, unique per request
and per process."""

from __future__ import annotations

import os
import re

from lti.logs import new_request_id, request_id_for


def test_a_new_id_is_32_hexadecimal_digits_and_never_repeats():
    ids = [new_request_id() for _ in range(10_000)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", one) for one in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_process_makes_ids_of_its_own():
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # gunicorn's workers are forked as this child is
        os.write(writing, new_request_id().encode())
        os._exit(0)
    os.close(writing)
    os.waitpid(child, 0)
    theirs = os.read(reading, 64).decode()
    os.close(reading)
    ours = new_request_id()
    assert re.fullmatch(r"[0-9a-f]{32}", theirs)
    assert theirs[:16] != ours[:16]  # another random half: no id of theirs can be one of ours


def test_the_proxys_valid_id_is_kept_and_another_replaced():
    assert request_id_for({"HTTP_X_REQUEST_ID": "abc-123"}) == "abc-123"
    replaced = request_id_for({"HTTP_X_REQUEST_ID": "bad id\n"})
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)
    assert request_id_for({}) != request_id_for({})
