"""'Add to my calendar' in the tool: a learner's experiment as an ``.ics``, by a signed link.

The activity page lives in the platform's iframe without cookies, and its bearer token
travels in a header that a plain ``<a href download>`` cannot send, so the page gets a link
of its own (:func:`calendar_token`), signed for one learner and one activity of one
deployment. It opens that learner's experiment only (:func:`experiment_calendar`: the
core's :func:`koula.commitment_calendar`, in the language of the launch), until the return
link of the experiment expires (:func:`koula.link_valid_until`, 14 days after the due date)
and never for more than :data:`LINK_DAYS` after the launch.
"""

from __future__ import annotations

import datetime as dt

from koula import Conflict, LearnerState, commitment_calendar, link_valid_until
from koula.messages import N_, translate
from lti.bearer import read_signed, sign_data
from lti.errors import NotAllowed
from lti.models import Activity, LearnerRecord, LtiUser
from lti.services.series import session_of

__all__ = ["CALENDAR_FILE", "LINK_DAYS", "calendar_token", "experiment_calendar"]

CALENDAR_FILE = "koula-experiment.ics"
LINK_DAYS = 366
PURPOSE = "calendar"
LINK_EXPIRED = N_(
    "This calendar link has expired or is not valid. Open the activity again from your"
    " course to add your experiment to your calendar."
)
NOT_SET_UP = N_("This activity is not set up yet, so it has no experiment to add to a calendar.")


def calendar_token(activity: Activity, user: LtiUser, language: str) -> str:
    """Return the signed part of the calendar link of ``user``'s experiment in ``activity``."""
    data = [activity.pk, activity.deployment_id, user.pk, language]
    return sign_data(data, PURPOSE)


def experiment_calendar(token: str, *, now: dt.datetime | None = None) -> tuple[str, str]:
    """Return the ``.ics`` text of the experiment the link ``token`` names, and its language.

    Raise NotAllowed (403) for a forged, expired or dangling link, the core's Conflict (409)
    before the learner committed or when the activity is not set up.
    """
    now = now or dt.datetime.now(dt.UTC)
    found = read_signed(token, PURPOSE, max_age=LINK_DAYS * 86400)
    activity, user, language = _named(found)
    if activity is None or user is None:
        raise NotAllowed(translate(language, LINK_EXPIRED), language=language)
    session = session_of(activity)
    if session is None:
        raise Conflict({"_": translate(language, NOT_SET_UP)})
    record = LearnerRecord.objects.filter(activity=activity, user=user).first()
    state = LearnerState.from_data(record.state if record else {})
    due_on = state.commitment.due_on
    if due_on is not None and now.date() > link_valid_until(due_on):
        raise NotAllowed(translate(language, LINK_EXPIRED), language=language)
    text = commitment_calendar(
        session,
        user.sub,
        state,
        language=language,
        now=now,
        url=activity.course_url or None,
    )
    return text, language


def _named(found: object) -> tuple[Activity | None, LtiUser | None, str]:
    """The activity (of the link's deployment), user and language a valid link names."""
    if not (isinstance(found, list) and len(found) == 4):
        return None, None, "en"
    activity_id, deployment_id, user_id, language = found
    language = language if isinstance(language, str) else "en"
    activity = Activity.objects.filter(pk=activity_id, deployment_id=deployment_id).first()
    registration = activity.deployment.registration_id if activity else None
    user = LtiUser.objects.filter(pk=user_id, registration_id=registration).first()
    return activity, user, language
