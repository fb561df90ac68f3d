"""A hot path's own transaction: what Django's outermost ``atomic()`` does, and no more.

``transaction.atomic()`` is written for every case (nested blocks, durable blocks, a
connection left in manual mode, databases that cannot begin under autocommit). For the
outermost block it turns autocommit off, lets the database begin, commits, turns autocommit
back on and runs the ``on_commit`` hooks, through a dozen layers of Python: about 70,000 of
the 2.7 million instructions of a learner action (issue 14; ``benchmarks/README.md``).
:func:`write_transaction` is that block for a learner action: the driver begins (SQLite's
``BEGIN`` of the settings' ``transaction_mode``, ``IMMEDIATE`` in this tool; psycopg with
autocommit off, at the settings' isolation level) and commits or rolls back, with Django's
bookkeeping set as ``atomic()`` sets it, so that inside it everything behaves as inside
``atomic()``: a nested ``atomic()`` makes a savepoint, ``transaction.on_commit`` waits for
the commit, an error rolls the whole transaction back, Django's errors are raised.

Inside another transaction (a nested call, a test's transaction), while statements are
logged or wrapped (``DEBUG``, a test counting them, instrumentation), or on a database other
than SQLite and PostgreSQL, it is ``transaction.atomic()`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, DatabaseError, Error, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from lti.services.raw_rows import database

__all__ = ["write_transaction"]

# What stands in the connection's list of open atomic blocks while one of ours is open (Django
# reads it to refuse a durable block inside another).
_OPEN = transaction.Atomic(DEFAULT_DB_ALIAS, savepoint=True, durable=False)


@contextmanager
def write_transaction() -> Iterator[None]:
    """``transaction.atomic()`` on the default database, as its outermost block."""
    db = database()
    if db.in_atomic_block or not _plain(db):
        with transaction.atomic(using=db.alias):
            yield
        return
    _begin(db)
    try:
        yield
    except BaseException:
        _end(db, commit=False)
        raise
    _end(db, commit=not db.needs_rollback)


def _plain(db: BaseDatabaseWrapper) -> bool:
    """Whether the connection is as Django leaves it between requests (autocommit on) and
    nothing watches its statements."""
    return (
        db.vendor in ("sqlite", "postgresql")
        and not db.queries_logged
        and not db.execute_wrappers
        and db.get_autocommit()  # connects if need be (as atomic() does)
    )


def _begin(db: BaseDatabaseWrapper) -> None:
    db.close_if_health_check_failed()
    db.ensure_connection()
    with db.wrap_database_errors:
        if db.vendor == "postgresql":  # psycopg begins at the next statement, at the
            db.connection.autocommit = False  # isolation level of the settings' OPTIONS
        else:
            mode = getattr(db, "transaction_mode", None)  # IMMEDIATE in this tool
            db.connection.execute(f"BEGIN {mode}" if mode else "BEGIN")
    # As inside atomic(): savepoints for nested blocks, on_commit hooks held until the end.
    db.autocommit, db.in_atomic_block = False, True
    db.commit_on_exit, db.needs_rollback = True, False
    db.atomic_blocks.append(_OPEN)


def _end(db: BaseDatabaseWrapper, *, commit: bool) -> None:
    """Commit (or roll back) as Django's ``commit()`` and ``rollback()`` do, and give the
    connection back as atomic() does: autocommit on, the ``on_commit`` hooks run after a
    commit and dropped after a rollback."""
    db.atomic_blocks.pop()
    db.in_atomic_block, db.needs_rollback = False, False
    try:
        if db.closed_in_transaction:  # closed meanwhile: the database rolled back itself
            db.connection = None
            return
        if commit:
            try:
                with db.wrap_database_errors:
                    db.connection.commit()
            except DatabaseError:
                _roll_back(db)
                raise
            db.errors_occurred = False
        else:
            _roll_back(db)
    finally:
        db.autocommit = True
        if db.vendor == "postgresql" and db.connection is not None:
            with db.wrap_database_errors:
                db.connection.autocommit = True
    if commit:
        db.run_and_clear_commit_hooks()


def _roll_back(db: BaseDatabaseWrapper) -> None:
    db.run_on_commit = []
    try:
        with db.wrap_database_errors:
            db.connection.rollback()
        db.errors_occurred = False
    except Error:  # the connection is broken: drop it, as atomic() does
        db.close()
