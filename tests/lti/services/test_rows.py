"""The launch's own statements (lti/services/rows.py) on SQLite and on PostgreSQL: the rows
read, expired rows removed."""

# The fixture of tests/lti/both_databases.py is imported by name, so tests take it again:
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt

import pytest

from lti.models import LaunchState
from lti.services.rows import delete_expired, fetch_all, fetch_one, one_or_none
from tests.lti.both_databases import database  # noqa: F401 - the fixture
from tests.lti.in_process import make_activity

pytestmark = pytest.mark.django_db(transaction=True)


def test_expired_rows_are_removed_and_the_others_kept(database):
    registration = make_activity().deployment.registration_id
    now = dt.datetime.now(dt.UTC)
    for state, seconds in (("past", -1), ("future", 600)):
        LaunchState.objects.create(
            state=state,
            nonce="n",
            registration_id=registration,
            expires_at=now + dt.timedelta(seconds=seconds),
        )
    delete_expired(LaunchState)
    assert list(LaunchState.objects.values_list("state", flat=True)) == ["future"]


def test_a_statement_gives_its_first_row_or_every_row(database):
    registration = make_activity().deployment.registration_id
    sql = "SELECT id FROM koula_lti_registration WHERE id >= %s ORDER BY id"
    assert fetch_one(sql, [registration]) == (registration,)
    assert fetch_one(sql, [registration + 1]) is None
    assert fetch_all(sql, [0]) == [(registration,)]


def test_a_unique_lookup_gives_its_row_or_none(database):
    activity = make_activity()
    found = one_or_none(type(activity).objects.filter(pk=activity.pk))
    assert found == activity
    assert one_or_none(type(activity).objects.filter(pk=activity.pk + 1)) is None
