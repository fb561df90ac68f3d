# Foreign keys whose own index only repeated the first column of a unique constraint or of
# another index (activity, learner record, user, xAPI statement), and a login's registration,
# looked up by it only when a registration is deleted: each index was written by every row
# inserted (a launch wrote 18 pages of SQLite, 4 of them these indexes; issue 14).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("koula_lti", "0007_score_outbox_one_index_for_the_queue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="activity",
            name="deployment",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="activities",
                to="koula_lti.deployment",
            ),
        ),
        migrations.AlterField(
            model_name="launchstate",
            name="registration",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                to="koula_lti.registration",
            ),
        ),
        migrations.AlterField(
            model_name="learnerrecord",
            name="activity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="records",
                to="koula_lti.activity",
            ),
        ),
        migrations.AlterField(
            model_name="ltiuser",
            name="registration",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                to="koula_lti.registration",
            ),
        ),
        migrations.AlterField(
            model_name="statementoutbox",
            name="activity",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="statements",
                to="koula_lti.activity",
            ),
        ),
    ]
