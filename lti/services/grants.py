"""What a learner page's access (its bearer token's :class:`~lti.bearer.Grant`) opens."""

from __future__ import annotations

from koula.messages import translate
from lti.bearer import Grant
from lti.errors import NotAllowed
from lti.models import Activity

__all__ = ["check_grant", "granted_activity"]


def check_grant(grant: Grant, activity_id: int) -> None:
    """Raise NotAllowed (403) unless the page's access covers ``activity_id``."""
    if grant.activity_id != activity_id:
        raise NotAllowed(
            translate(
                grant.language,
                "This page's access does not cover that activity. Open the activity "
                "again from your course.",
            ),
            language=grant.language,
        )


def granted_activity(grant: Grant, activity_id: int) -> Activity:
    """Return the activity ``activity_id`` when the page's access covers it (read from the
    grant's deployment only, so never another tenant's); else raise NotAllowed (403)."""
    check_grant(grant, activity_id)
    return Activity.objects.get(pk=activity_id, deployment_id=grant.deployment_id)
