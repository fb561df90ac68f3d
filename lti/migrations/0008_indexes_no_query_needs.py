# Indexes no query needs, written by every row inserted (issue 14): foreign keys whose own
# index only repeated the first column of a unique constraint or of another index (activity,
# learner record, user, xAPI statement), and a login's registration and expiry, looked up by
# only when a registration is deleted and by the minutely removal of expired logins, over the
# few minutes' logins the table holds. A first login + launch wrote 18 pages of SQLite, 13 now.
#
# Only the indexes are dropped (and made again backwards): an AlterField would rebuild each
# table on SQLite and drop and check again each foreign key on PostgreSQL, a long lock on a
# large install. The models' state changes as the AlterFields say.

import django.db.models.deletion
from django.db import migrations, models


def _own_indexes(schema_editor, table, column):
    """The names of the plain (not unique) indexes of ``table`` on ``column`` alone."""
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, about in found.items()
        if about["index"]
        and about["columns"] == [column]
        and not about["unique"]
        and not about["primary_key"]
    ]


def _unindexed(apps):
    """(table, column) of each field whose own one-column index is dropped (:data:`STATE`)."""
    for change in STATE:
        model = apps.get_model("koula_lti", change.model_name)
        yield model._meta.db_table, model._meta.get_field(change.name).column


def drop_indexes(apps, schema_editor):
    for table, column in _unindexed(apps):
        for name in _own_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def make_indexes(apps, schema_editor):
    """Backwards: each index as Django names and makes a field's own."""
    for table, column in _unindexed(apps):
        if _own_indexes(schema_editor, table, column):
            continue
        name = schema_editor._create_index_name(table, [column], suffix="")
        quote = schema_editor.quote_name
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)})")


def _unindexed_key(model_name, name, to, related_name=None):
    """The state change of a foreign key that keeps no index of its own."""
    extra = {"related_name": related_name} if related_name else {}
    field = models.ForeignKey(
        db_index=False, on_delete=django.db.models.deletion.CASCADE, to=to, **extra
    )
    return migrations.AlterField(model_name=model_name, name=name, field=field)


# The fields that lose their own index, as the models now say.
STATE = [
    _unindexed_key("activity", "deployment", "koula_lti.deployment", "activities"),
    migrations.AlterField(
        model_name="launchstate",
        name="expires_at",
        field=models.DateTimeField(),
    ),
    _unindexed_key("launchstate", "registration", "koula_lti.registration"),
    _unindexed_key("learnerrecord", "activity", "koula_lti.activity", "records"),
    _unindexed_key("ltiuser", "registration", "koula_lti.registration"),
    _unindexed_key("statementoutbox", "activity", "koula_lti.activity", "statements"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("koula_lti", "0007_score_outbox_one_index_for_the_queue"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, make_indexes)],
            state_operations=STATE,
        )
    ]
