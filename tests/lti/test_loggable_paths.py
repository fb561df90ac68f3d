"""What the logs may show of a path (lti/logs.py): never a link's secret token."""

from __future__ import annotations

import pytest

from lti.logs import loggable_path


@pytest.mark.parametrize(
    "prefix",
    ["/lti/register/", "/lti/reminders/return/", "/lti/reminders/unsubscribe/", "/lti/calendar/"],
)
def test_a_links_token_is_left_out_of_the_logged_path(prefix):
    assert loggable_path(f"{prefix}eyJzZWNyZXQiOjF9:1xZ:abc") == f"{prefix}<token>"


def test_other_paths_are_logged_as_they_are():
    assert loggable_path("/lti/api/7/submit_return") == "/lti/api/7/submit_return"
