"""The links of a reminder e-mail: signed here, read back by the pages they open.

The one-click return link names one learner (their row id) and one activity, and works
until :func:`koula.link_valid_until` of the due date; it also carries the learner's
language and the course's link, so the page refusing an expired link, or the link of an
activity since deleted, can still speak their language and lead back to the course. The
unsubscribe link names the person only. Both are signed with the tool's secret key
(:func:`lti.bearer.sign_data`, one purpose each).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from koula import Reminder, link_valid_until
from koula.messages import N_, translate
from lti.bearer import Grant, read_signed, sign_data
from lti.errors import ActivityGone, LinkExpired, LinkRefused
from lti.models import Activity, LtiUser
from lti.services.series import session_of

__all__ = [
    "ACTIVITY_GONE",
    "ReminderLinks",
    "ReturnLink",
    "read_return_link",
    "read_unsubscribe_link",
    "reminder_links",
    "return_link_grant",
    "subscription_set",
    "unsubscribe_link_user",
]

LINK_SECONDS = 5 * 366 * 86400  # the signature's age limit; the link's own end date decides


@dataclass(frozen=True)
class ReminderLinks:
    """The links of one reminder e-mail."""

    return_url: str
    unsubscribe_url: str
    course_url: str | None


@dataclass(frozen=True)
class ReturnLink:
    """What a one-click return link says (read back by :func:`read_return_link`)."""

    activity_id: int
    user_id: int
    valid_until: dt.date
    language: str
    course_url: str


def reminder_links(activity: Activity, user_id: int, reminder: Reminder) -> ReminderLinks:
    """Return the links of ``reminder`` to the learner whose row id is ``user_id``."""
    c = reminder.commitment
    return_data = {
        "a": activity.pk,
        "u": user_id,
        "until": link_valid_until(c.due_on).isoformat(),
        "l": c.language,
        "c": activity.course_url,
    }
    base = settings.BASE_URL
    return ReminderLinks(
        return_url=f"{base}/lti/reminders/return/{sign_data(return_data, 'reminder-return')}",
        unsubscribe_url=f"{base}/lti/reminders/unsubscribe/"
        + sign_data({"u": user_id, "l": c.language}, "unsubscribe"),
        course_url=activity.course_url or None,
    )


def read_return_link(token: str) -> ReturnLink | None:
    """Return what a one-click return link says (None: forged); the caller checks its date."""
    data = read_signed(token, "reminder-return", LINK_SECONDS)
    try:
        assert isinstance(data, dict)
        return ReturnLink(
            activity_id=int(data["a"]),
            user_id=int(data["u"]),
            valid_until=dt.date.fromisoformat(str(data["until"])),
            language=str(data["l"]),
            course_url=str(data.get("c") or ""),
        )
    except (AssertionError, KeyError, TypeError, ValueError):
        return None


def read_unsubscribe_link(token: str) -> tuple[int, str] | None:
    """Return the learner's row id and language an unsubscribe link names (None: forged)."""
    data = read_signed(token, "unsubscribe", LINK_SECONDS)
    if isinstance(data, dict) and isinstance(data.get("u"), int):
        return int(data["u"]), str(data.get("l") or "en")
    return None


LINK_FORGED = N_(
    "This link is not valid: it may have been cut in two by your e-mail program. "
    "Open the activity from your course instead."
)
LINK_EXPIRED = N_(
    "This link has expired. Open the activity from your course to report back: "
    "your return is still welcome there."
)
ACTIVITY_GONE = N_(
    "This activity is no longer in your course: it may have been removed. "
    "Your course team can tell you where to report back."
)


def return_link_grant(token: str, *, today: dt.date, language: str) -> tuple[Grant, Activity]:
    """Return the learner page's grant and the activity a one-click return link opens.

    Raise LinkRefused (forged: in ``language``, the browser's), LinkExpired (past its end
    date) or ActivityGone (deleted or no longer configured), the last two in the learner's
    language and with the course's link when the e-mail knew it.
    """
    link = read_return_link(token)
    if link is None:
        raise LinkRefused(translate(language, LINK_FORGED), language=language, detail="forged")
    language, course = link.language, link.course_url
    if today > link.valid_until:
        message = translate(language, LINK_EXPIRED)
        raise LinkExpired(message, language=language, detail="expired", course_url=course)
    activity = (
        Activity.objects.filter(pk=link.activity_id, configured=True)
        .select_related("deployment")
        .first()
    )
    user = LtiUser.objects.filter(pk=link.user_id).first()
    if (
        activity is None
        or user is None
        or user.registration_id != activity.deployment.registration_id
        or session_of(activity) is None
    ):
        message = translate(language, ACTIVITY_GONE)
        raise ActivityGone(message, language=language, detail="gone", course_url=course)
    return Grant(user.pk, activity.deployment_id, activity.pk, language), activity


def unsubscribe_link_user(token: str, *, language: str) -> tuple[LtiUser, str]:
    """Return the person an unsubscribe link names and their language; raise LinkRefused."""
    read = read_unsubscribe_link(token)
    user = LtiUser.objects.filter(pk=read[0]).first() if read else None
    if read is None or user is None:
        raise LinkRefused(translate(language, LINK_FORGED), language=language, detail="forged")
    return user, read[1]


def subscription_set(user: LtiUser, *, subscribed: bool) -> LtiUser:
    """Turn ``user``'s reminder e-mails on or off (the next pass honours it); return them."""
    if subscribed == (user.unsubscribed_at is None):
        return user
    user.unsubscribed_at = None if subscribed else dt.datetime.now(dt.UTC)
    user.save(update_fields=["unsubscribed_at"])
    return user
