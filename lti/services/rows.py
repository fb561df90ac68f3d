"""Reading the one row of a unique lookup, and the statements the launch runs written once.

``QuerySet.first()`` orders by primary key, and Django builds that ordering anew for every
query (about half the cost of a one-row lookup on this tool's hot paths, the launch and the
learner page); a lookup by a unique key needs no order (:func:`one_or_none`).

On the login and the launch the statements themselves are written once
(:mod:`lti.services.raw_rows`): :func:`fetch_one` and :func:`fetch_all` run one,
:func:`delete_expired` removes the logins or nonces past their expiry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model, QuerySet
from django.utils import timezone

from lti.services.raw_rows import column, driver_cursor, table, time_value

__all__ = ["delete_expired", "fetch_all", "fetch_one", "one_or_none"]


def one_or_none[M: Model](rows: QuerySet[M]) -> M | None:
    """Return the row of ``rows`` (a lookup by a unique key), or None when there is none."""
    return next(iter(rows[:1]), None)


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row of the statement ``sql`` (``%s`` parameters), or None."""
    with driver_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()  # every row read: a DELETE ... RETURNING is done once read
    return rows[0] if rows else None


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of the statement ``sql`` (``%s`` parameters)."""
    with driver_cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def delete_expired(model: type[Model]) -> None:
    """Remove the rows of ``model`` whose ``expires_at`` is past (one statement)."""
    with driver_cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table(model)} WHERE {column(model, 'expires_at')} < %s",
            [time_value(timezone.now())],
        )
