"""The tables (lti/models.py): the migrations make what the models say."""

from __future__ import annotations

import io

import pytest

from tests.lti.in_process import configure

configure()

from django.core.management import call_command  # noqa: E402 - once Django is configured

from tests.lti.both_databases import database  # noqa: E402, F401 - the fixture, on both databases


@pytest.mark.django_db
def test_the_migrations_make_what_the_models_say():
    out = io.StringIO()
    call_command("makemigrations", "koula_lti", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def one_column_indexes(table: str) -> set[str]:
    """The columns of ``table`` that have a plain (not unique) index of their own."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        about["columns"][0]
        for name, about in found.items()
        if about["index"] and len(about["columns"]) == 1 and not about["unique"]
        if not about["primary_key"] and not name.endswith("_like")  # PostgreSQL's LIKE twin
    }


def test_each_table_has_the_one_column_indexes_its_model_asks_for_and_no_other(database):  # noqa: F811
    from django.apps import apps

    for model in apps.get_app_config("koula_lti").get_models():
        wanted = {
            field.column
            for field in model._meta.concrete_fields
            if field.db_index and not field.unique and not field.primary_key
        }
        wanted |= {
            model._meta.get_field(index.fields[0]).column
            for index in model._meta.indexes
            if len(index.fields) == 1
        }
        assert one_column_indexes(model._meta.db_table) == wanted, model.__name__


def test_the_columns_that_lost_their_index_are_still_first_in_one_that_serves_them(database):  # noqa: F811
    """Migration 0008: every lookup by those columns is served by another index (but a
    login's registration and expiry: a table of a few minutes' logins)."""
    from django.db import connection

    served = {
        "koula_lti_activity": "deployment_id",
        "koula_lti_learnerrecord": "activity_id",
        "koula_lti_ltiuser": "registration_id",
        "koula_lti_statementoutbox": "activity_id",
    }
    with connection.cursor() as cursor:
        for table, column in served.items():
            found = connection.introspection.get_constraints(cursor, table)
            firsts = [
                about["columns"][0] for about in found.values() if about["index"] or about["unique"]
            ]
            assert column in firsts, table
