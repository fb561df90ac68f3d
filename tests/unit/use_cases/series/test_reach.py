"""Who reminders can reach: usable addresses, and the staff view's counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from koula.use_cases.series.reach import has_address, reach
from koula.use_cases.series.reminders import OpenCommitment

OPEN = OpenCommitment(
    learner_id="ana",
    session_id="one",
    committed_on=dt.date(2026, 11, 28),
    due_on=dt.date(2026, 12, 12),
    email="ana@example.org",
)


def test_the_staff_view_counts_who_cannot_be_reminded_among_all_open_experiments():
    found = reach(
        [
            OPEN,
            replace(OPEN, email=None),
            replace(OPEN, email="not an address"),
            replace(OPEN, unsubscribed=True, email=None),
        ]
    )
    assert (found.open, found.reachable, found.no_email, found.unsubscribed) == (4, 1, 2, 1)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "ana",
        "@example.org",
        "ana@",
        "a@b@c",
        "ana@example.org\r\nBcc: all@example.org",
        "ana @example.org",
        "ana@example.org\x00",
        "a" * 250 + "@x.org",
        "c@[",  # addresses a message cannot be addressed to: the e-mail package raises
        "a@[b",
        'e\u2039@,"',
        "(\u00e9).@,c=",
        "ana..b@example.org",
    ],
)
def test_an_address_that_could_not_be_sent_to_or_could_add_a_header_is_unusable(address):
    assert not has_address(address)


@pytest.mark.parametrize(
    "address",
    ["élodie.martin+koula@exemple.fr", "ana@example.org", '"ana"@example.org', "x@y"],
)
def test_an_ordinary_address_is_usable(address):
    assert has_address(address)
