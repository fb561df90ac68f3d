"""A learner action's own transaction behaves as Django's outermost ``atomic()``, on SQLite
and on PostgreSQL."""

# The fixtures of tests/lti/both_databases.py are imported by name, so tests take them again:
# ruff: noqa: F811

from __future__ import annotations

import pytest
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.test.utils import CaptureQueriesContext

from lti.models import Activity, LearnerRecord
from lti.services.write_transaction import write_transaction
from tests.lti.both_databases import database, postgres  # noqa: F401 - the fixtures
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


class Driver:
    """The database driver's connection, its transaction calls recorded (or refused)."""

    def __init__(self, db, refuse: str = "") -> None:
        db.ensure_connection()
        vars(self).update(db=db, inner=db.connection, refuse=refuse, calls=[])

    def __enter__(self) -> Driver:
        self.db.connection = self
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.connection = self.inner

    def execute(self, sql: str, *args: object) -> object:
        self.calls.append(sql)
        return self.inner.execute(sql, *args)

    def commit(self) -> None:
        self.calls.append("commit")
        if self.refuse == "commit":
            raise self.db.Database.OperationalError("the disk is full")
        self.inner.commit()

    def rollback(self) -> None:
        self.calls.append("rollback")
        self.inner.rollback()

    def __setattr__(self, name: str, value: object) -> None:
        self.calls.append(f"{name}={value}")
        setattr(self.inner, name, value)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_a_failed_commit_is_rolled_back_raised_and_runs_no_hook(database):
    activity = titled("before")
    seen: list[str] = []
    db = connections[DEFAULT_DB_ALIAS]
    with (
        Driver(db, refuse="commit") as driver,
        pytest.raises(OperationalError, match="disk is full"),
        write_transaction(),
    ):
        rename(activity, "after")
        transaction.on_commit(lambda: seen.append("hook"))
    assert "rollback" in driver.calls
    assert titles() == ["before"] and seen == []
    assert db.get_autocommit() and not db.in_atomic_block


def test_it_begins_as_the_settings_say_and_ends_as_django_does(database):
    activity = titled("before")
    with Driver(connections[DEFAULT_DB_ALIAS]) as driver, write_transaction():
        rename(activity, "after")
    # SQLite takes its write lock up front (transaction_mode IMMEDIATE, lti.settings);
    # psycopg begins itself, at the isolation level of the settings
    begun = ["BEGIN IMMEDIATE"] if database == "sqlite" else ["autocommit=False"]
    ended = ["commit"] if database == "sqlite" else ["commit", "autocommit=True"]
    assert [call for call in driver.calls if not call.startswith("UPDATE")] == begun + ended
    assert titles() == ["after"]


def test_an_error_caught_inside_leaves_no_error_mark_once_committed(database):
    activity = titled("before")
    with write_transaction():
        rename(activity, "after")
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT no_such_column FROM no_such_table")
        assert connection.errors_occurred
    assert not connection.errors_occurred  # as after Django's commit()
    assert titles() == ["after"]


def test_on_postgresql_the_configured_isolation_level_holds(postgres):
    from psycopg import IsolationLevel

    db = connections[DEFAULT_DB_ALIAS]
    db.close()
    db.settings_dict["OPTIONS"]["isolation_level"] = IsolationLevel.REPEATABLE_READ
    try:
        with write_transaction(), connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone()[0] == "repeatable read"
    finally:
        del db.settings_dict["OPTIONS"]["isolation_level"]
        db.close()


def test_on_postgresql_a_server_side_cursor_ends_with_the_transaction(postgres):
    with write_transaction():
        cursor = connection.chunked_cursor()
        cursor.execute("SELECT 1")
        with connection.cursor() as asking:
            asking.execute("SELECT is_holdable FROM pg_cursors WHERE name <> ''")
            assert asking.fetchall() == [(False,)]  # as under atomic()
        cursor.close()
