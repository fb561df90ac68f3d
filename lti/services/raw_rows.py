"""Rows read and written with SQL written once, for the hot paths (the launch, the actions).

The ORM builds its SQL anew for every query, and on this tool's hot paths that costs far
more than running it (issue 14's profile: about 160 µs of Python for a one-row lookup, the
statement itself a few tens). The few statements of the launch and of a learner action are
written here once instead, portable across SQLite and PostgreSQL (the tool's two
databases). What they read goes through the very converters the ORM applies, so a JSON
column, a date or a flag reads as its model field would; rows become model instances with
``Model.from_db``, as the ORM's own do. What they write is adapted as the ORM adapts it
(``json_value``, ``time_value``). Everything else stays on the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model

__all__ = ["Columns", "column", "json_value", "locking", "table", "time_value"]

Converter = Callable[[Any], Any]


class Columns[M: Model]:
    """The concrete columns of ``model`` under the table alias ``alias``, for a SELECT:
    ``sql`` lists them, ``instance(values)`` makes the model instance of their values."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        self.fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        self.names = [field.attname for field in self.fields]
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        self.width = len(self.fields)

    def instance(self, values: Sequence[Any]) -> M:
        """The model instance of ``values`` (this SELECT's columns, in order)."""
        converted = [
            convert(value) if value is not None else None
            for convert, value in zip(
                _converters(self.model, connection.vendor), values, strict=True
            )
        ]
        return self.model.from_db(connection.alias, self.names, converted)


@cache
def _converters(model: type[Model], vendor: str) -> list[Converter]:
    """One function per concrete field: what the ORM does to that column's value on the
    database ``vendor`` (the tests switch between the two in one process)."""
    return [_converter(field) for field in model._meta.concrete_fields]


def _converter(field: Field[Any, Any]) -> Converter:
    column = field.get_col(field.model._meta.db_table)
    steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)

    def convert(value: Any) -> Any:
        for step in steps:
            value = step(value, column, connection)
        return value

    return convert


def table(model: type[Model]) -> str:
    """The quoted table name of ``model``."""
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    """The quoted column of ``model``'s field ``name``."""
    return connection.ops.quote_name(model._meta.get_field(name).column)  # type: ignore[union-attr]


def locking() -> str:
    """`` FOR UPDATE`` where the database locks rows (PostgreSQL); SQLite's write
    transactions take the whole database up front (``transaction_mode`` IMMEDIATE)."""
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


def json_value(value: Any) -> Any:
    """``value`` as a JSON column's parameter, as the ORM writes it."""
    return connection.ops.adapt_json_value(value, None)


def time_value(moment: dt.datetime) -> Any:
    """``moment`` as a date-time column's parameter, as the ORM writes it."""
    return connection.ops.adapt_datetimefield_value(moment)
