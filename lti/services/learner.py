"""The learner actions over HTTP: same bodies, same state, same errors as the XBlock.

One transaction per action: the learner's row is locked, the core applies the
action, the new state is stored and, when progress changed, the score for
the gradebook goes into the outbox in the same transaction, so a score is
never lost between the action and its delivery.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from koula.messages import gettext_for
from koula.outcome import perform
from koula.progress import learner_state_data
from koula.state import LearnerState
from lti.bearer import Grant
from lti.errors import NotAllowed
from lti.models import Activity, LearnerRecord
from lti.services.activities import template_of
from lti.services.community import community_of
from lti.services.scores import queue_score

__all__ = ["check_grant", "learner_state", "run_action"]


def check_grant(grant: Grant, activity_id: int) -> None:
    """Raise NotAllowed (403) unless the page's access covers ``activity_id``."""
    if grant.activity_id != activity_id:
        _ = gettext_for(grant.language)
        raise NotAllowed(
            _(
                "This page's access does not cover that activity. Open the activity "
                "again from your course."
            ),
            language=grant.language,
        )


def run_action(
    grant: Grant, activity_id: int, action: str, body: Any
) -> tuple[int, dict[str, Any]]:
    """Apply ``action`` for the grant's learner; return ``(HTTP status, JSON body)``."""
    _ = gettext_for(grant.language)
    check_grant(grant, activity_id)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(
            pk=activity_id, deployment_id=grant.deployment_id
        )
        template = template_of(activity)
        if template is None:
            return 409, {
                "errors": {"_": _("This activity is not set up yet. Please tell the course team.")}
            }
        record, _created = LearnerRecord.objects.select_for_update().get_or_create(
            activity=activity, user_id=grant.user_id
        )
        community = community_of(activity, record.user) if action == "reuse_card" else None
        outcome = perform(
            action,
            body,
            template=template,
            stored=record.state,
            now=dt.datetime.now(dt.UTC),
            language=grant.language,
            community=community,
        )
        record.state = outcome.stored
        record.save(update_fields=["state", "updated_at"])
        if outcome.progress is not None:
            queue_score(activity, record.user, outcome.progress, template, grant.language)
    return outcome.status, outcome.body


def learner_state(activity: Activity, user_id: int) -> dict[str, Any] | None:
    """Return the learner state shown at launch, or None when the activity has no template."""
    template = template_of(activity)
    if template is None:
        return None
    record = LearnerRecord.objects.filter(activity=activity, user_id=user_id).first()
    return learner_state_data(template, LearnerState.from_data(record.state if record else {}))
