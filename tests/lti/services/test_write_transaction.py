"""A learner action's own transaction behaves as Django's outermost ``atomic()``, on SQLite
and on PostgreSQL."""

# The fixture of tests/lti/both_databases.py is imported by name, so tests take it again:
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.test.utils import CaptureQueriesContext

from lti.models import Activity, LearnerRecord
from lti.services.write_transaction import write_transaction
from tests.lti.both_databases import database  # noqa: F401 - the fixture, on both databases
from tests.lti.in_process import make_activity, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tool_keys")]


class Refused(Exception):
    pass


def titles() -> list[str]:
    return sorted(Activity.objects.values_list("title", flat=True))


def rename(activity: Activity, title: str) -> None:
    Activity.objects.filter(pk=activity.pk).update(title=title)


def titled(title: str) -> Activity:
    activity = make_activity()
    rename(activity, title)
    return activity


@pytest.fixture
def atomic_blocks(monkeypatch: pytest.MonkeyPatch) -> list[transaction.Atomic]:
    """The ``atomic()`` blocks entered meanwhile."""
    entered: list[transaction.Atomic] = []
    real = transaction.Atomic.__enter__

    def enter(self: transaction.Atomic) -> None:
        entered.append(self)
        real(self)

    monkeypatch.setattr(transaction.Atomic, "__enter__", enter)
    return entered


def test_its_writes_are_committed_and_the_connection_is_given_back_in_autocommit(
    database, atomic_blocks
):
    activity = titled("before")
    atomic_blocks.clear()
    with write_transaction():
        assert atomic_blocks == []  # its own transaction, not Django's atomic()
        assert connection.in_atomic_block and not connection.get_autocommit()
        rename(activity, "after")
    assert titles() == ["after"]
    assert connection.get_autocommit() and not connection.in_atomic_block
    assert connection.atomic_blocks == [] and not connection.needs_rollback


def test_an_error_rolls_every_write_back_and_is_raised(database):
    activity = titled("before")
    with pytest.raises(Refused), write_transaction():
        rename(activity, "after")
        raise Refused
    assert titles() == ["before"]
    assert connection.get_autocommit() and not connection.in_atomic_block


def test_a_nested_atomic_block_is_a_savepoint(database):
    activity = titled("before")
    user = make_user(activity, "learner-1")
    with write_transaction():
        rename(activity, "after")
        LearnerRecord.objects.create(activity=activity, user=user, state={})
        with pytest.raises(IntegrityError), transaction.atomic():  # rolled back alone
            LearnerRecord.objects.create(activity=activity, user=user, state={})
    assert titles() == ["after"]
    assert LearnerRecord.objects.count() == 1


def test_an_error_caught_inside_without_a_savepoint_rolls_the_transaction_back(database):
    activity = titled("before")
    with write_transaction():
        rename(activity, "after")
        with pytest.raises(Refused), transaction.atomic(savepoint=False):
            raise Refused
    assert titles() == ["before"]


def test_on_commit_hooks_run_after_the_commit_only(database):
    activity = titled("before")
    seen: list[list[str]] = []
    with write_transaction():
        rename(activity, "after")
        transaction.on_commit(lambda: seen.append(titles()))
        assert seen == []
    assert seen == [["after"]]
    with pytest.raises(Refused), write_transaction():
        transaction.on_commit(lambda: seen.append(["rolled back"]))
        raise Refused
    assert seen == [["after"]]


def test_a_durable_block_inside_is_refused_as_inside_atomic(database):
    with (
        pytest.raises(RuntimeError, match="durable"),
        write_transaction(),
        transaction.atomic(durable=True),
    ):
        pass
    assert connection.get_autocommit() and not connection.in_atomic_block


def test_inside_another_transaction_it_is_a_savepoint_of_it(database):
    activity = titled("before")
    with transaction.atomic():
        rename(activity, "outer")
        with pytest.raises(Refused), write_transaction():
            rename(activity, "inner")
            raise Refused
        assert titles() == ["outer"]
    assert titles() == ["outer"]


def test_while_statements_are_logged_it_is_djangos_atomic(database, atomic_blocks):
    activity = titled("before")
    atomic_blocks.clear()
    with CaptureQueriesContext(connection), write_transaction():
        assert len(atomic_blocks) == 1
        rename(activity, "after")
    assert titles() == ["after"]


def test_a_failed_commit_is_rolled_back_raised_and_runs_no_hook(database):
    activity = titled("before")
    seen: list[str] = []
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    driver, refused = db.connection, db.Database.OperationalError

    class CommitRefused:
        def execute(self, sql: str, *args: object) -> object:
            if sql == "COMMIT":
                raise refused("the disk is full")
            return driver.execute(sql, *args)

        def __getattr__(self, name: str) -> object:
            return getattr(driver, name)

    db.connection = CommitRefused()
    try:
        with pytest.raises(OperationalError, match="disk is full"), write_transaction():
            rename(activity, "after")
            transaction.on_commit(lambda: seen.append("hook"))
    finally:
        db.connection = driver
    assert titles() == ["before"] and seen == []
    assert db.get_autocommit() and not db.in_atomic_block


def test_it_begins_as_the_settings_say_and_commits_on_the_driver(database):
    activity = titled("before")
    db = connections[DEFAULT_DB_ALIAS]
    db.ensure_connection()
    driver, sent = db.connection, []

    class Recording:
        def execute(self, sql: str, *args: object) -> object:
            sent.append(sql)
            return driver.execute(sql, *args)

        def __getattr__(self, name: str) -> object:
            return getattr(driver, name)

    db.connection = Recording()
    try:
        with write_transaction():
            rename(activity, "after")
    finally:
        db.connection = driver
    # SQLite takes its write lock up front (transaction_mode IMMEDIATE, lti.settings)
    assert sent == ["BEGIN IMMEDIATE" if database == "sqlite" else "BEGIN", "COMMIT"]
    assert titles() == ["after"]
