"""What a staff form (the picker, the staff view's forms) names, read again when it is sent.

A form stays open for up to an hour: the activity it names may be deleted meanwhile (the
course, or the link, removed in the platform), and the platform may be removed from Koula.
Such a form is answered with :class:`~lti.errors.ActivityGone` (404, a page in the staff
member's language), never with a 500.
"""

from __future__ import annotations

from koula.messages import N_, translate
from lti.errors import ActivityGone
from lti.models import Activity, Registration

__all__ = ["ACTIVITY_DELETED", "PLATFORM_REMOVED", "form_activity", "form_registration"]

ACTIVITY_DELETED = N_(
    "This activity is no longer in Koula: it was deleted after this page was opened. "
    "Nothing was changed. Open the course again to see its activities."
)
PLATFORM_REMOVED = N_(
    "This platform is no longer registered with Koula: it was removed after this page was "
    "opened. Nothing was added. Ask your Koula administrator to register it again."
)


def form_activity(activity_id: int, language: str, *, for_update: bool = False) -> Activity:
    """Return the activity ``activity_id`` a staff form names (locked for update when asked,
    inside the caller's transaction); raise ActivityGone when it was deleted."""
    rows = Activity.objects.select_for_update() if for_update else Activity.objects
    activity = rows.filter(pk=activity_id).first()
    if activity is None:
        raise _gone(ACTIVITY_DELETED, language, f"activity {activity_id} deleted")
    return activity


def form_registration(registration_id: int, language: str) -> Registration:
    """Return the platform registration ``registration_id`` a staff form names; raise
    ActivityGone when it was removed."""
    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None:
        raise _gone(PLATFORM_REMOVED, language, f"registration {registration_id} removed")
    return registration


def _gone(message: str, language: str, detail: str) -> ActivityGone:
    return ActivityGone(translate(language, message), language=language, detail=detail)
