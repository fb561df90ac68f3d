"""Rows read and written with SQL written once, for the hot paths (the launch, the actions).

The ORM builds its SQL anew for every query, and on this tool's hot paths that costs far
more than running it (issue 14's profile: about 160 µs of Python for a one-row lookup, the
statement itself a few tens). The few statements of the launch and of a learner action are
written here once instead, portable across SQLite and PostgreSQL (the tool's two
databases). What they read goes through the very converters the ORM applies, so a JSON
column, a date or a flag reads as its model field would (a JSON column's text decoded with
orjson, :mod:`lti.json_text`, where only an integer beyond 64 bits reads otherwise); rows
become the model instances ``Model.from_db`` makes (without running ``Model.__init__`` where
nothing could tell the difference, :meth:`Columns.instance`). What they write is adapted as
the ORM adapts it (``insert``, ``update``; ``time_value`` for a statement of one's own), the
values the hot paths write taking a short way to the same parameter (:func:`_writer`; a JSON
object's text written by orjson, which reads back as the ORM's). They run on the database
driver's own cursor (:func:`driver_cursor`), inside Django's transactions and with Django's
errors. Everything else stays on the ORM.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from functools import cache, lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    Field,
    FloatField,
    ForeignKey,
    IntegerField,
    JSONField,
    Model,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SmallIntegerField,
    TextField,
)
from django.db.models.base import ModelState
from django.db.models.fields import AutoFieldMixin
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

from lti import json_text

__all__ = [
    "Columns",
    "column",
    "database",
    "driver_cursor",
    "forget_database",
    "insert",
    "locking",
    "table",
    "time_value",
    "update",
]

Step = Callable[[Any, Any, Any], Any]
Writer = Callable[[Any, BaseDatabaseWrapper], Any]


def database() -> BaseDatabaseWrapper:
    """The default database's connection of this thread (``django.db.connection`` looks it up
    again on every attribute).

    Django keeps a thread's connection in an asgiref ``Local``, whose every read costs more than
    a hot path's statement parameters (4% of an action's instructions): the connection is kept
    here too, per thread, for as long as Django's settings dictionary for the database is the
    one it was kept under. Code that gives a thread another connection afterwards
    (``del connections[...]``: the tests' switch between SQLite and PostgreSQL) calls
    :func:`forget_database`; Django's live server gives its threads theirs before their first
    statement. (Unlike asgiref's
    ``Local``, a ``threading.local`` does not give each asyncio task of a thread its own
    connection: the tool runs no database code under an event loop, which Django refuses.)"""
    kept: tuple[dict[str, Any], BaseDatabaseWrapper] | None = getattr(_threads, "database", None)
    wanted = connections.settings[DEFAULT_DB_ALIAS]
    if kept is not None and kept[0] is wanted:
        return kept[1]
    db = connections[DEFAULT_DB_ALIAS]
    _threads.database = (wanted, db)
    return db


def forget_database() -> None:
    """Forget this thread's kept connection (:func:`database`), as ``del connections[alias]``
    makes Django forget it."""
    _threads.__dict__.pop("database", None)


_threads = threading.local()


def driver_cursor() -> _DriverCursor:
    """A cursor for this module's statements (``%s`` parameters), in the current transaction,
    as a context manager (``with driver_cursor() as cursor``).

    It is the driver's own cursor: Django's wrapper around it costs more than a one-row
    statement takes (issue 14's profile), and it only adds what the hot paths do not use:
    the query log and ``execute_wrapper`` hooks. So while queries are logged (``DEBUG``, a
    test capturing them) or a hook is installed (instrumentation, the benchmarks' statement
    counts), Django's cursor is given instead. Either way the connection is made (or, failing
    its health check, made again) as for Django's cursor (its check against an event loop made
    when connecting only: the hot paths run in WSGI threads), the driver's errors become Django's
    (``OperationalError``...), a transaction Django marked broken is refused, and an error
    closing the cursor is ignored, as Django ignores it.
    """
    return _DriverCursor()


class _DriverCursor:
    """:func:`driver_cursor`'s context manager (a class: a generator's costs more)."""

    __slots__ = ("_cursor", "_db", "_django")

    def __enter__(self) -> Any:
        db = self._db = database()
        if db.queries_logged or db.execute_wrappers:
            self._django: Any = db.cursor()
            return self._django.__enter__()
        self._django = None
        if db.connection is None or (db.health_check_enabled and not db.health_check_done):
            db.close_if_health_check_failed()
            db.ensure_connection()  # with Django's check against an event loop: the hot
            # paths run in WSGI threads, so it is made when connecting, not per statement
        db.validate_no_broken_transaction()
        with db.wrap_database_errors:
            if db.vendor == "sqlite":
                self._cursor: Any = _SQLiteCursor(db.connection.cursor())
            else:
                self._cursor = db.create_cursor()
        return self._cursor

    def __exit__(self, kind: Any, error: Any, trace: Any) -> Any:
        if self._django is not None:
            return self._django.__exit__(kind, error, trace)
        db = self._db
        with suppress(db.Database.Error):
            self._cursor.close()
        return db.wrap_database_errors.__exit__(kind, error, trace)  # raises Django's error


class _SQLiteCursor:
    """SQLite's cursor, given ``%s`` parameters as Django's SQL has them (turned into
    SQLite's ``?`` once per statement text)."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(_qmark(sql), params)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()  # type: ignore[no-any-return]

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def lastrowid(self) -> Any:
        return self._cursor.lastrowid

    def close(self) -> None:
        self._cursor.close()


@lru_cache(maxsize=256)
def _qmark(sql: str) -> str:
    """As Django's SQLite cursor turns ``%s`` parameters into ``?`` (``%%`` into ``%``)."""
    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


class Columns[M: Model]:
    """The concrete columns of ``model`` (``only`` those and the primary key, when given)
    under the table alias ``alias``, for a SELECT: ``sql`` lists them, ``instance(values)``
    makes the model instance of their values (the other fields deferred)."""

    def __init__(self, model: type[M], alias: str, only: tuple[str, ...] = ()) -> None:
        self.model, self.alias = model, alias
        fields = [
            field
            for field in model._meta.concrete_fields
            if not only or field.primary_key or field.attname in only
        ]
        self.names = [field.attname for field in fields]
        self.key = tuple(self.names)
        quote = database().ops.quote_name
        self.sql = ", ".join(f"{alias}.{quote(field.column)}" for field in fields)
        self.width = len(fields)
        # Rows are made without Model.__init__ (see instance) when it would only store each
        # attribute on the instance (a field's plain descriptor; a foreign key's id, which
        # only forgets a cached object a new instance does not have) and the model makes
        # its instances as Django does (no from_db or __init__ of its own).
        self._plain = (
            model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
            and model.__init__ is Model.__init__
            and all(
                type(inspect.getattr_static(model, name)) in _PLAIN_DESCRIPTORS
                for name in self.names
            )
        )

    def values(self, values: Sequence[Any]) -> list[Any]:
        """``values`` (this SELECT's columns, in order) as the model's fields hold them."""
        db = database()
        converted = list(values)
        for index, (column, field_steps) in _steps(self.model, self.key, db.vendor):
            value = converted[index]
            if value is not None:
                for step in field_steps:
                    value = step(value, column, db)
                converted[index] = value
        return converted

    def instance(self, values: Sequence[Any]) -> M:
        """The model instance of ``values`` (this SELECT's columns, in order)."""
        db = database()
        converted = self.values(values)
        if not self._plain or _initialised(self.model):
            return self.model.from_db(db.alias, self.names, converted)
        # What Model.from_db makes, without its per-field setattr: the same attributes, the
        # others deferred (loaded on first read), the same state.
        made = self.model.__new__(self.model)
        state = made.__dict__["_state"] = ModelState()
        state.adding, state.db = False, db.alias
        made.__dict__.update(zip(self.names, converted, strict=True))
        return made


_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _initialised(model: type[Model]) -> bool:
    """Whether a receiver of ``pre_init`` or ``post_init`` wants to see ``model``'s instances
    made (only Model.__init__ sends those signals); none is connected at all, most often."""
    if not pre_init.receivers and not post_init.receivers:
        return False
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


@cache
def _steps(
    model: type[Model], names: tuple[str, ...], vendor: str
) -> list[tuple[int, tuple[Any, list[Step]]]]:
    """For each field of ``names`` that has some: the ORM's conversions of its column's value
    on the database ``vendor`` (the tests switch between the two in one process)."""
    db, found = database(), []
    for index, name in enumerate(names):
        field = model._meta.get_field(name)
        column = field.get_col(model._meta.db_table)  # type: ignore[union-attr]
        steps = db.ops.get_db_converters(column) + column.get_db_converters(db)
        if _plain_json(field):  # its from_db_value, with orjson (lti.json_text)
            steps = [_read_json if step == field.from_db_value else step for step in steps]
        if steps:
            found.append((index, (column, steps)))
    return found


def _plain_json(field: Field[Any, Any]) -> bool:
    """Whether ``field`` is Django's own JSON field with the standard library's coders."""
    return type(field) is JSONField and field.encoder is None and field.decoder is None


def _read_json(value: Any, expression: Any, db: BaseDatabaseWrapper) -> Any:
    """``JSONField.from_db_value`` of a column (never None here), with orjson."""
    try:
        return json_text.loads(value)
    except json.JSONDecodeError:  # as from_db_value: a text that is not JSON stays a text
        return value


def table(model: type[Model]) -> str:
    """The quoted table name of ``model``."""
    return database().ops.quote_name(model._meta.db_table)


def column(model: type[Model], name: str) -> str:
    """The quoted column of ``model``'s field ``name``."""
    return database().ops.quote_name(model._meta.get_field(name).column)  # type: ignore[union-attr]


def locking() -> str:
    """`` FOR UPDATE`` where the database locks rows (PostgreSQL); SQLite's write
    transactions take the whole database up front (``transaction_mode`` IMMEDIATE)."""
    return " FOR UPDATE" if database().features.has_select_for_update else ""


def time_value(moment: dt.datetime) -> Any:
    """``moment`` as a date-time column's parameter, as the ORM writes it."""
    db = database()
    if db.vendor == "sqlite" and moment.utcoffset() is not None:
        return _sqlite_moment(moment, db)
    return db.ops.adapt_datetimefield_value(moment)


def insert(model: type[Model], *, unless_taken: bool = False, **values: Any) -> int | None:
    """Insert one row of ``model`` with ``values`` (by attribute name, ``user_id`` for a
    foreign key); the other fields take their defaults, date-times set on creation take the
    current time. Return the new row's primary key; with ``unless_taken``, None when a row
    with the same unique values is there (waiting for a concurrent transaction that is
    inserting it, on PostgreSQL), and nothing is inserted."""
    db = database()
    params = _insert_params(model, values, db)
    with driver_cursor() as inserting:
        inserting.execute(_insert_sql(model, unless_taken, db.vendor), params)
        if db.features.can_return_columns_from_insert:
            made = inserting.fetchone()
            return None if made is None else int(made[0])
        return None if inserting.rowcount == 0 else int(inserting.lastrowid)


def _insert_params(
    model: type[Model], values: dict[str, Any], db: BaseDatabaseWrapper
) -> list[Any]:
    columns = _insert_columns(model, db.vendor)
    unknown = values.keys() - _inserted(model).keys()
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    return [
        write(values[name], db)
        if name in values
        else default
        if default is not _PER_ROW
        else write(_initial(field), db)
        for name, field, write, default in columns
    ]


_PER_ROW = object()  # a default made for each row


@cache
def _insert_columns(
    model: type[Model], vendor: str
) -> tuple[tuple[str, Field[Any, Any], Writer, Any], ...]:
    """For each field an insert writes, in order: its name, the field, its writer and its
    default's parameter (:func:`_prepared_defaults`; ``_PER_ROW`` when made for each row)."""
    prepared = _prepared_defaults(model, vendor)
    return tuple(
        (name, field, _writer(field, vendor), prepared.get(name, _PER_ROW))
        for name, field in _inserted(model).items()
    )


@cache
def _inserted(model: type[Model]) -> dict[str, Field[Any, Any]]:
    """The fields an insert writes, by attribute name, in the table's order."""
    return {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}


@cache
def _prepared_defaults(model: type[Model], vendor: str) -> dict[str, Any]:
    """The insert's parameter for each field whose default is a constant, adapted once for
    the database ``vendor`` (not a date-time set on creation, not a callable default: those
    are made for each row)."""
    db, prepared = database(), {}
    for name, field in _inserted(model).items():
        if not _made_per_row(field):
            with suppress(Exception):  # a field that refuses its default: made per row
                prepared[name] = field.get_db_prep_save(field.get_default(), db)
    return prepared


# Field classes whose parameter is the value itself when it has this exact type.
_UNCHANGED: dict[type[Field[Any, Any]], type] = {
    CharField: str,
    TextField: str,
    BooleanField: bool,
    FloatField: float,
}
_JSON = (dict, list)
_INTEGERS = (
    IntegerField,
    BigIntegerField,
    SmallIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
)


@cache
def _writer(field: Field[Any, Any], vendor: str) -> Writer:
    """How a value of ``field`` becomes a statement's parameter on the database ``vendor``:
    ``field.get_db_prep_save``, which for the values the hot paths write (text, a number, a
    flag, a JSON object or list, an aware date-time, for Django's own field classes) goes
    through the field's layers to end in the database's own adaptation, or none: that call
    alone is made for them, a JSON object's text written by orjson (:func:`_json_writer`;
    ``tests/lti/services/test_raw_rows.py`` compares the two for every field of the tool's
    models, JSON by what it reads back as)."""
    slow: Writer = field.get_db_prep_save
    kind = type(field)
    unchanged = _UNCHANGED.get(kind)
    if unchanged is not None:
        return lambda value, db: value if type(value) is unchanged else slow(value, db)
    if kind in _INTEGERS:
        internal = field.get_internal_type()
        return lambda value, db: (
            db.ops.adapt_integerfield_value(value, internal)
            if type(value) is int
            else slow(value, db)
        )
    if kind is ForeignKey and isinstance(field.target_field, AutoFieldMixin):
        return lambda value, db: (
            db.ops.validate_autopk_value(value) if type(value) is int else slow(value, db)
        )
    if kind is JSONField:
        write_json = _json_writer(field, vendor)
        return lambda value, db: write_json(value, db) if type(value) in _JSON else slow(value, db)
    if kind is DateTimeField:
        adapt = _sqlite_moment if vendor == "sqlite" else _adapted_moment
        return lambda value, db: (
            adapt(value, db)
            if type(value) is dt.datetime and value.utcoffset() is not None  # aware
            else slow(value, db)
        )
    return slow


def _adapted_moment(moment: dt.datetime, db: BaseDatabaseWrapper) -> Any:
    return db.ops.adapt_datetimefield_value(moment)


def _sqlite_moment(moment: dt.datetime, db: BaseDatabaseWrapper) -> Any:
    """SQLite's ``adapt_datetimefield_value`` of an aware date-time, without reading the
    settings: the connection's time zone is None unless ``USE_TZ`` (Django resets it when
    the setting changes), and then SQLite's adaptation refuses an aware date-time."""
    zone = db.timezone
    if zone is None:
        return db.ops.adapt_datetimefield_value(moment)
    return str(moment.astimezone(zone).replace(tzinfo=None))


def _json_writer(field: JSONField, vendor: str) -> Writer:
    """The database's own adaptation of a JSON object or list (``adapt_json_value``); for
    Django's JSON field with the standard library's coders, the same with orjson's text
    (:func:`lti.json_text.dumps`, which reads back as ``json.dumps``'s)."""
    if not _plain_json(field):
        encoder = field.encoder
        return lambda value, db: db.ops.adapt_json_value(value, encoder)
    if vendor == "postgresql":  # what adapt_json_value gives there: psycopg's Jsonb
        from psycopg.types.json import Jsonb

        return lambda value, db: Jsonb(value, dumps=json_text.dumps)
    return lambda value, db: json_text.dumps(value)


def _made_per_row(field: Field[Any, Any]) -> bool:
    return _set_on_creation(field) or (field.has_default() and callable(field.default))


def _set_on_creation(field: Field[Any, Any]) -> bool:
    return isinstance(field, DateTimeField) and (field.auto_now or field.auto_now_add)


def _initial(field: Field[Any, Any]) -> Any:
    """The value of a field an insert was not given."""
    return timezone.now() if _set_on_creation(field) else field.get_default()


@cache
def _insert_sql(model: type[Model], unless_taken: bool, vendor: str) -> str:
    """The INSERT of ``model``'s fields, RETURNING the primary key where the database can."""
    db = database()
    fields = _inserted(model).values()
    names = ", ".join(db.ops.quote_name(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table(model)} ({names}) VALUES ({marks})"
    if unless_taken:  # both SQLite (3.24+) and PostgreSQL read this
        sql += " ON CONFLICT DO NOTHING"
    if db.features.can_return_columns_from_insert:
        key = db.ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
        sql += f" RETURNING {key}"
    return sql


def update(model: type[Model], pk: int, **values: Any) -> int:
    """Set ``values`` (by attribute name) on ``model``'s row ``pk``; return the rows changed."""
    db = database()
    sql, writers = _update_sql(model, tuple(values), db.vendor)
    given = zip(writers, values.values(), strict=True)
    params = [write(value, db) for write, value in given]
    with driver_cursor() as updating:
        updating.execute(sql, [*params, pk])
        return int(updating.rowcount)


@cache
def _update_sql(
    model: type[Model], names: tuple[str, ...], vendor: str
) -> tuple[str, list[Writer]]:
    fields: list[Field[Any, Any]] = [model._meta.get_field(name) for name in names]  # type: ignore[misc]
    assignments = ", ".join(f"{column(model, field.name)} = %s" for field in fields)
    key = database().ops.quote_name(model._meta.pk.column)  # type: ignore[union-attr]
    writers = [_writer(field, vendor) for field in fields]
    return f"UPDATE {table(model)} SET {assignments} WHERE {key} = %s", writers
