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
from django.db.models import DateTimeField, Field, Model
from django.utils import timezone

__all__ = [
    "Columns",
    "column",
    "insert",
    "json_value",
    "locking",
    "table",
    "time_value",
    "update",
]

Converter = Callable[[Any], Any]


class Columns[M: Model]:
    """The concrete columns of ``model`` (``only`` those and the primary key, when given)
    under the table alias ``alias``, for a SELECT: ``sql`` lists them, ``instance(values)``
    makes the model instance of their values (the other fields deferred)."""

    def __init__(self, model: type[M], alias: str, only: tuple[str, ...] = ()) -> None:
        self.model = model
        self.fields: list[Field[Any, Any]] = [
            field
            for field in model._meta.concrete_fields
            if not only or field.primary_key or field.attname in only
        ]
        self.names = [field.attname for field in self.fields]
        quote = connection.ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        self.width = len(self.fields)

    def instance(self, values: Sequence[Any]) -> M:
        """The model instance of ``values`` (this SELECT's columns, in order)."""
        converted = [
            convert(value) if value is not None else None
            for convert, value in zip(
                _converters(self.model, tuple(self.names), connection.vendor),
                values,
                strict=True,
            )
        ]
        return self.model.from_db(connection.alias, self.names, converted)


@cache
def _converters(model: type[Model], names: tuple[str, ...], vendor: str) -> list[Converter]:
    """One function per field of ``names``: what the ORM does to that column's value on the
    database ``vendor`` (the tests switch between the two in one process)."""
    return [_converter(model._meta.get_field(name)) for name in names]  # type: ignore[arg-type]


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


def insert(model: type[Model], *, unless_taken: bool = False, **values: Any) -> int | None:
    """Insert one row of ``model`` with ``values`` (by attribute name, ``user_id`` for a
    foreign key); the other fields take their defaults, date-times set on creation take the
    current time. Return the new row's primary key; with ``unless_taken``, None when a row
    with the same unique values is there (waiting for a concurrent transaction that is
    inserting it, on PostgreSQL), and nothing is inserted."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    row = {field.attname: _initial(field, values) for field in fields}
    unknown = set(values) - set(row)
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    sql = _insert_sql(model, unless_taken, connection.vendor)
    params = [field.get_db_prep_save(row[field.attname], connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.features.can_return_columns_from_insert:
            made = cursor.fetchone()
            return None if made is None else int(made[0])
        return None if cursor.rowcount == 0 else int(cursor.lastrowid)


def _initial(field: Field[Any, Any], values: dict[str, Any]) -> Any:
    if field.attname in values:
        return values[field.attname]
    if isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add):
        return timezone.now()
    return field.get_default()


@cache
def _insert_sql(model: type[Model], unless_taken: bool, vendor: str) -> str:
    quote = connection.ops.quote_name
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    names = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table(model)} ({names}) VALUES ({marks})"
    if unless_taken:  # both SQLite (3.24+) and PostgreSQL read this
        sql += " ON CONFLICT DO NOTHING"
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {quote(model._meta.pk.column)}"  # type: ignore[union-attr]
    return sql


def update(model: type[Model], pk: int, **values: Any) -> int:
    """Set ``values`` (by attribute name) on ``model``'s row ``pk``; return the rows changed."""
    fields = [model._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{column(model, field.name)} = %s" for field in fields)
    params = [
        field.get_db_prep_save(value, connection)  # type: ignore[union-attr]
        for field, value in zip(fields, values.values(), strict=True)
    ]
    key = connection.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table(model)} SET {assignments} WHERE {key} = %s", [*params, pk])
        return int(cursor.rowcount)
