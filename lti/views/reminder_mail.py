"""The reminder e-mail as a :class:`lti.mail.Letter`: koula_ui's words around the tool's links.

The passes (:mod:`lti.services.reminders`) render nothing; the entry points (``koula
reminders run``, the delivery loop, the Celery task) and the nudge view hand them
:func:`compose_reminder`.
"""

from __future__ import annotations

from koula import Reminder
from koula_ui.reminder_mail import reminder_mail
from lti.mail import Letter
from lti.services.reminder_links import ReminderLinks

__all__ = ["compose_reminder"]


def compose_reminder(reminder: Reminder, links: ReminderLinks) -> Letter:
    """Return the e-mail of ``reminder``, in the learner's language, with ``links``."""
    mail = reminder_mail(
        reminder,
        return_url=links.return_url,
        unsubscribe_url=links.unsubscribe_url,
        course_url=links.course_url,
    )
    return Letter(
        to=reminder.commitment.email or "",
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        language=mail.language,
        unsubscribe_url=links.unsubscribe_url,
    )
