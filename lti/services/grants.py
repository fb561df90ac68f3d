"""What a learner page's access (its bearer token's :class:`~lti.bearer.Grant`) opens."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from koula.messages import N_, translate
from lti.bearer import Grant
from lti.errors import NotAllowed, NotAuthenticated
from lti.models import Activity, LtiUser

__all__ = ["check_grant", "granted_activity"]

ERASED = N_("Your access to this activity has expired. Reload the activity from your course.")


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
    grant's deployment only, so never another tenant's); else raise NotAllowed (403).

    Raise NotAuthenticated (401) when the learner was erased since the page opened
    (``koula learners erase``): the page must be opened again (a new account).
    """
    check_grant(grant, activity_id)
    learner = LtiUser.objects.filter(
        pk=grant.user_id, registration=OuterRef("deployment__registration")
    )
    activity = Activity.objects.annotate(learner_exists=Exists(learner)).get(
        pk=activity_id, deployment_id=grant.deployment_id
    )
    if not activity.learner_exists:
        raise NotAuthenticated(translate(grant.language, ERASED), language=grant.language)
    return activity
