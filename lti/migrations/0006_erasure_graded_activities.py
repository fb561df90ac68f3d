# The activities where an erased learner had been sent a score (issue 13, second check):
# only there are their partial scores held back if they come back.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("koula_lti", "0005_learner_erasures"),
    ]

    operations = [
        migrations.AddField(
            model_name="learnererasure",
            name="graded_activities",
            field=models.JSONField(
                default=list,
                help_text="On request: the activities whose gradebook had a score of the learner.",
            ),
        ),
    ]
