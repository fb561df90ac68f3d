# The score outbox's queue is read through its (status, next_attempt_at) index: the index on
# next_attempt_at alone was never used, and every score written paid for it (issue 14).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("koula_lti", "0006_erasure_graded_activities"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scoreoutbox",
            name="next_attempt_at",
            field=models.DateTimeField(),
        ),
    ]
