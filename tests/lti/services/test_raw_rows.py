"""The hot paths' own statements read and write rows exactly as the ORM does, on SQLite and
on PostgreSQL."""

# The fixture of tests/lti/both_databases.py is imported by name, so tests take it again:
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.apps import apps
from django.db import (
    DEFAULT_DB_ALIAS,
    DataError,
    OperationalError,
    ProgrammingError,
    connection,
    connections,
    transaction,
)
from django.db.backends.utils import CursorWrapper
from django.db.models import JSONField
from django.db.models.signals import post_init
from django.db.transaction import TransactionManagementError
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from lti.models import Activity, LearnerRecord, ScoreOutbox
from lti.services.raw_rows import (
    Columns,
    _insert_sql,
    _writer,
    column,
    driver_cursor,
    forget_database,
    insert,
    table,
    time_value,
    update,
)
from lti.services.raw_rows import database as connection_of_thread
from tests.lti.both_databases import database  # noqa: F401 - the fixture, on both databases
from tests.lti.in_process import make_activity, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tool_keys")]


def read(model, alias: str, pk: int, only: tuple[str, ...] = ()):
    columns = Columns(model, alias, only=only)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql} FROM {table(model)} {alias} WHERE {alias}.id = %s", [pk]
        )
        return columns.instance(cursor.fetchone())


def test_a_row_reads_as_the_orm_reads_it(database):
    activity = make_activity(session_date=dt.date(2026, 3, 16), host_turns=[{"user": 1}])
    mine, orms = read(Activity, "a", activity.pk), Activity.objects.get(pk=activity.pk)
    for field in Activity._meta.concrete_fields:
        assert getattr(mine, field.attname) == getattr(orms, field.attname), field.name
    assert isinstance(mine.settings, dict) and mine.session_date == dt.date(2026, 3, 16)
    assert mine.created_at.tzinfo is not None and mine.configured is True


@pytest.mark.parametrize(
    "text", ['{"a": [1, "\\u00e9", "é", 1.5, null, {}]}', "[1e400]", '"\\ud800 alone"', "[]"]
)
def test_a_json_column_reads_as_the_orm_reads_it_whatever_its_text(database, text):
    """orjson reads a column's text, json what orjson refuses (an infinity, a lone
    surrogate, which SQLite holds and PostgreSQL refuses)."""
    activity = make_activity()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            sql = f"UPDATE {table(Activity)} SET settings = %s WHERE id = %s"
            cursor.execute(sql, [text, activity.pk])
    except DataError:  # PostgreSQL's jsonb refuses a lone surrogate: nothing to read
        assert connection.vendor == "postgresql" and "ud800" in text
        return
    mine, orms = read(Activity, "a", activity.pk), Activity.objects.get(pk=activity.pk)
    assert repr(mine.settings) == repr(orms.settings)


def test_reading_only_some_columns_defers_the_others(database):
    activity = make_activity()
    mine = read(Activity, "a", activity.pk, only=("title",))
    assert mine.get_deferred_fields() >= {"settings", "score_maximum"}
    assert mine.title == activity.title and mine.score_maximum == activity.score_maximum


@pytest.mark.parametrize("only", [(), ("title", "deployment_id")])
def test_a_row_makes_the_instance_the_orm_makes_of_it(database, only):
    activity = make_activity(host_turns=[{"user": 1}])
    columns = Columns(Activity, "a", only=only)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns.sql} FROM {table(Activity)} a WHERE a.id = %s", [activity.pk]
        )
        row = cursor.fetchone()
    mine = columns.instance(row)
    orms = (
        Activity.objects.only(*only).get(pk=activity.pk)
        if only
        else Activity.objects.get(pk=activity.pk)
    )
    assert type(mine) is Activity
    assert mine.__dict__.keys() == orms.__dict__.keys()
    assert (
        (mine._state.adding, mine._state.db)
        == (orms._state.adding, orms._state.db)
        == (False, "default")
    )
    assert mine.get_deferred_fields() == orms.get_deferred_fields()
    assert mine == orms and mine.deployment.pk == activity.deployment_id


def test_a_model_whose_instances_a_receiver_watches_is_made_by_its_init(database):
    activity = make_activity()
    seen = []

    def watch(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(watch, sender=Activity)
    try:
        mine = read(Activity, "a", activity.pk)
    finally:
        post_init.disconnect(watch, sender=Activity)
    assert seen == [mine] and seen[0] is mine
    assert read(Activity, "a", activity.pk) is not None and len(seen) == 1


def test_a_model_with_its_own_from_db_or_init_makes_its_instances_itself(database, monkeypatch):
    activity = make_activity()
    django_from_db, django_init = Activity.from_db.__func__, Activity.__init__

    def from_db(cls, db, field_names, values):
        made = django_from_db(cls, db, field_names, values)
        made.loaded_title = made.title
        return made

    def init(self, *args, **kwargs):
        django_init(self, *args, **kwargs)
        self.greeted = True

    monkeypatch.setattr(Activity, "from_db", classmethod(from_db))
    assert read(Activity, "a", activity.pk).loaded_title == activity.title
    monkeypatch.undo()
    monkeypatch.setattr(Activity, "__init__", init)
    assert read(Activity, "a", activity.pk).greeted is True


def test_an_insert_fills_the_defaults_and_returns_the_new_key(database):
    activity = make_activity()
    ana = make_user(activity, "ana")
    moment = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)
    pk = insert(
        ScoreOutbox,
        activity_id=activity.pk,
        user_id=ana.pk,
        payload={"scoreGiven": 50.0, "comment": "à demi"},
        next_attempt_at=moment,
    )
    score = ScoreOutbox.objects.get(pk=pk)
    assert score.payload == {"scoreGiven": 50.0, "comment": "à demi"}
    assert (score.status, score.attempts, score.uncertain, score.last_error) == (
        "pending",
        0,
        False,
        "",
    )
    assert score.next_attempt_at == moment and score.created_at is not None


def test_each_insert_takes_the_defaults_the_orm_gives_and_its_own_given_values(database):
    activity = make_activity()
    moment = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)
    for number, status in enumerate(["pending", "delivered", "pending"]):
        user = make_user(activity, f"learner-{number}")
        given = {
            "activity_id": activity.pk,
            "user_id": user.pk,
            "payload": {},
            "next_attempt_at": moment,
        }
        mine = ScoreOutbox.objects.get(
            pk=insert(ScoreOutbox, **given, **({"status": status} if number == 1 else {}))
        )
        orms = ScoreOutbox.objects.create(**given, **({"status": status} if number == 1 else {}))
        for field in ScoreOutbox._meta.concrete_fields:
            if field.name not in {"id", "created_at"}:
                assert getattr(mine, field.attname) == getattr(orms, field.attname), field.name
        assert mine.status == status
        record = LearnerRecord.objects.get(
            pk=insert(LearnerRecord, activity_id=activity.pk, user_id=user.pk)
        )
        assert record.state == {} and record.updated_at is not None


def test_an_insert_unless_taken_leaves_the_row_there_and_returns_none(database):
    activity = make_activity()
    ana = make_user(activity, "ana")
    first = insert(LearnerRecord, unless_taken=True, activity_id=activity.pk, user_id=ana.pk)
    again = insert(LearnerRecord, unless_taken=True, activity_id=activity.pk, user_id=ana.pk)
    assert first is not None and again is None
    assert LearnerRecord.objects.get(activity=activity, user=ana).pk == first


def test_an_insert_refuses_a_field_the_model_does_not_have(database):
    activity = make_activity()
    with pytest.raises(TypeError, match="no field colour"):
        insert(LearnerRecord, activity_id=activity.pk, colour="red")


def test_an_update_sets_only_the_fields_given(database):
    activity = make_activity()
    ana = make_user(activity, "ana")
    record = LearnerRecord.objects.create(activity=activity, user=ana, state={"a": 1})
    moment = dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.UTC)
    assert update(LearnerRecord, record.pk, state={"b": ["é", 2]}, updated_at=moment) == 1
    record.refresh_from_db()
    assert record.state == {"b": ["é", 2]} and record.updated_at == moment
    assert record.user_id == ana.pk


def test_column_and_table_names_are_quoted_for_the_database(database):
    assert table(LearnerRecord) == connection.ops.quote_name(LearnerRecord._meta.db_table)
    assert column(LearnerRecord, "user") == connection.ops.quote_name("user_id")


def test_the_statements_run_on_the_drivers_own_cursor_with_djangos_errors(database):
    with driver_cursor() as cursor:
        assert not isinstance(cursor, CursorWrapper)
        cursor.execute("SELECT %s + 1", [41])
        assert cursor.fetchone()[0] == 42
    with pytest.raises((OperationalError, ProgrammingError)), driver_cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM koula_lti_activity", [])


def test_statements_show_in_the_query_log_while_queries_are_logged(database):
    activity = make_activity()
    with CaptureQueriesContext(connection) as logged:
        update(Activity, activity.pk, title="Renamed")
    assert [query["sql"] for query in logged.captured_queries][-1].startswith("UPDATE")
    assert Activity.objects.get(pk=activity.pk).title == "Renamed"


def test_a_transaction_django_marked_broken_refuses_the_next_statement(database):
    with pytest.raises(TransactionManagementError), transaction.atomic():
        transaction.set_rollback(True)
        with driver_cursor() as cursor:
            cursor.execute("SELECT 1", [])


def test_an_insert_gives_the_new_key_or_none_when_taken(database):
    activity = make_activity()
    ana = make_user(activity, "ana")
    made = insert(LearnerRecord, unless_taken=True, activity_id=activity.pk, user_id=ana.pk)
    record = LearnerRecord.objects.get(activity=activity, user=ana)
    assert made == record.pk and record.state == {} and record.updated_at.tzinfo is not None
    assert insert(LearnerRecord, unless_taken=True, activity_id=activity.pk, user_id=ana.pk) is None


@pytest.mark.django_db
def test_on_an_sqlite_without_returning_an_insert_gives_its_row_id(monkeypatch):
    """SQLite before 3.35 has no RETURNING (Django 5.2 supports 3.31 and later)."""
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    _insert_sql.cache_clear()
    try:
        activity = make_activity()
        ana = make_user(activity, "ana")
        made = insert(LearnerRecord, unless_taken=True, activity_id=activity.pk, user_id=ana.pk)
        assert made == LearnerRecord.objects.get(activity=activity, user=ana).pk
        again = insert(LearnerRecord, unless_taken=True, activity_id=activity.pk, user_id=ana.pk)
        assert again is None
    finally:
        _insert_sql.cache_clear()


def test_statements_reach_execute_wrappers_when_one_is_installed(database):
    activity = make_activity()
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        update(Activity, activity.pk, title="Renamed")
    assert [sql.split()[0] for sql in seen] == ["UPDATE"]


SAMPLES = [
    None,
    "",
    "Reviews come too late. 🙂",
    0,
    7,
    -3,
    True,
    False,
    1.5,
    0.0,
    {},
    {"deliverable": {"values": {"steps": ["Pick a pair", "é"]}, "draft": None}},
    [],
    [1, "two", {"three": 3.0}],
    dt.datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    dt.date(2026, 12, 5),
]


def parameter(value, field):
    """A statement's parameter, comparable: psycopg's wrappers by their type and value, a
    JSON column's text by what it reads back as (orjson and json write it apart)."""
    if hasattr(value, "obj") and hasattr(value, "dumps"):  # psycopg's Json / Jsonb
        try:  # dumped when the statement runs
            dumped = json.loads(value.dumps(value.obj))
        except TypeError as refused:
            dumped = type(refused)
        return type(value), value.obj, dumped
    if isinstance(field, JSONField) and isinstance(value, str):
        return "JSON text", json.loads(value)
    return type(value), value


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
@pytest.mark.parametrize("model", list(apps.get_app_config("koula_lti").get_models()))
def test_each_value_becomes_the_parameter_the_orm_makes_of_it(database, model):
    for field in model._meta.concrete_fields:
        for value in SAMPLES:
            try:
                expected = parameter(field.get_db_prep_save(value, connection), field)
            except Exception as refused:  # the ORM refuses it: the same refusal
                with pytest.raises(type(refused)):
                    _writer(field, connection.vendor)(value, connection)
                continue
            made = parameter(_writer(field, connection.vendor)(value, connection), field)
            assert made == expected, (model.__name__, field.name, value)


MOMENTS = [
    dt.datetime(2026, 12, 5, 9, 30, 15, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
]


@pytest.mark.parametrize("use_tz", [True, False])
def test_a_moment_becomes_the_parameter_the_orm_makes_of_it(database, use_tz):
    with override_settings(USE_TZ=use_tz):
        for moment in MOMENTS:
            try:
                expected = connection.ops.adapt_datetimefield_value(moment)
            except ValueError:  # SQLite without USE_TZ refuses an aware date-time
                with pytest.raises(ValueError):
                    time_value(moment)
                continue
            assert time_value(moment) == expected


def test_the_connection_is_the_threads_own_and_followed_when_replaced(database):
    mine = connection_of_thread()
    assert mine is connections[DEFAULT_DB_ALIAS] and connection_of_thread() is mine
    elsewhere: list[Any] = []
    worker = threading.Thread(target=lambda: elsewhere.append(connection_of_thread()))
    worker.start()
    worker.join()
    assert elsewhere[0] is not mine and elsewhere[0].alias == DEFAULT_DB_ALIAS
    settings = connections.settings[DEFAULT_DB_ALIAS]
    try:
        del connections[DEFAULT_DB_ALIAS]
        forget_database()
        assert connection_of_thread() is connections[DEFAULT_DB_ALIAS] is not mine
        connections[DEFAULT_DB_ALIAS].close()
        del connections[DEFAULT_DB_ALIAS]  # new settings: followed without being told
        connections.settings[DEFAULT_DB_ALIAS] = dict(settings)
        assert connection_of_thread() is connections[DEFAULT_DB_ALIAS]
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections.settings[DEFAULT_DB_ALIAS] = settings
        connections[DEFAULT_DB_ALIAS] = mine
        forget_database()
