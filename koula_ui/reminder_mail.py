"""The reminder e-mail that brings a learner back to report: subject, plain text and HTML.

:func:`reminder_mail` writes, in the learner's language, the e-mail of a
:class:`~koula.use_cases.series.reminders.Reminder` (which the core decided is
due): a subject saying when the experiment is due, then the session and what
the learner committed to try, the due date, why a return counts even when
nothing happened, the one-click link to the return form (and until when it
works), the course link when the adapter knows it, and the link that stops the
reminders. The plain text and the HTML say the same sentences; the HTML is
Jinja2's, autoescaped, so nothing a learner typed can become markup.

Why here and not in the core: the e-mail is rendering, like the pages; the
HTML needs the escaping the shared templates already have, and dates are
written by :func:`koula_ui.strings.format_date` in the learner's language.
The rules (who, when, the idempotency key) stay in the core.
"""

from __future__ import annotations

from dataclasses import dataclass

from koula import Reminder, ReminderKind, link_valid_until
from koula.messages import Gettext, gettext_for, pick_language
from koula_ui.environment import environment_for
from koula_ui.strings import format_date

__all__ = ["Paragraph", "ReminderMail", "reminder_mail", "reminder_subject"]


@dataclass(frozen=True)
class ReminderMail:
    subject: str
    text: str
    """The plain-text body, paragraphs separated by a blank line."""
    html: str
    """A small HTML document saying the same."""
    language: str


@dataclass(frozen=True)
class Paragraph:
    """A sentence, and the link it leads to (``label: url`` in the plain text)."""

    text: str
    url: str | None = None
    kind: str = "p"
    """``p``, ``action`` (the return link, drawn as a button) or ``small`` (the footer)."""


def reminder_subject(reminder: Reminder, _: Gettext) -> str:
    """Return the subject: due today, tomorrow, in so many days, or past due (a nudge)."""
    if reminder.days_left < 0:
        return _("Your experiment was due on {date}: it is not too late to report back").format(
            date=format_date(reminder.commitment.due_on, _)
        )
    if reminder.kind is ReminderKind.DUE or reminder.days_left <= 0:
        return _("Your experiment is due today: report back")
    if reminder.days_left == 1:
        return _("Your experiment is due tomorrow: report back")
    return _("Your experiment is due in {days} days: report back").format(days=reminder.days_left)


def reminder_mail(
    reminder: Reminder,
    *,
    return_url: str,
    unsubscribe_url: str,
    course_url: str | None = None,
) -> ReminderMail:
    """Return the e-mail of ``reminder`` in the learner's language.

    ``return_url`` opens the learner's return form (signed by the adapter), ``course_url``
    (optional) the course, ``unsubscribe_url`` stops the reminders.
    """
    c = reminder.commitment
    language = pick_language(c.language)
    _ = gettext_for(language)
    subject = reminder_subject(reminder, _)
    paragraphs = _paragraphs(reminder, return_url, unsubscribe_url, course_url, _)
    text = "\n\n".join(p.text + (f"\n{p.url}" if p.url else "") for p in paragraphs) + "\n"
    html = (
        environment_for(language)
        .get_template("reminder_email.html")
        .render(lang=language, subject=subject, paragraphs=paragraphs)
    )
    return ReminderMail(subject, text, html, language)


def _paragraphs(
    reminder: Reminder, return_url: str, unsubscribe_url: str, course_url: str | None, _: Gettext
) -> list[Paragraph]:
    c = reminder.commitment
    due = format_date(c.due_on, _)
    session = c.session_title
    when = format_date(c.session_date, _) if c.session_date else ""
    said = [Paragraph(_("Hello {name},").format(name=c.name) if c.name else _("Hello,"))]
    if c.what:
        said.append(
            Paragraph(
                _('In the session "{session}" ({date}), you committed to try: {what}').format(
                    session=session, date=when, what=c.what
                )
            )
        )
    else:
        said.append(
            Paragraph(
                _('In the session "{session}" ({date}), you committed to an experiment.').format(
                    session=session, date=when
                )
            )
        )
    if reminder.days_left < 0:
        due_line = _("Your return was due on {date}; a late return is still welcome.").format(
            date=due
        )
    elif reminder.kind is ReminderKind.DUE or reminder.days_left == 0:
        due_line = _("Your return is due today, {date}.").format(date=due)
    elif reminder.days_left == 1:
        due_line = _("Your return is due tomorrow, {date}.").format(date=due)
    else:
        due_line = _("Your return is due on {date}, in {days} days.").format(
            date=due, days=reminder.days_left
        )
    said += [
        Paragraph(
            due_line
            + " "
            + _(
                "Whether it worked, half worked or did not happen, your return counts: what"
                " happened, compared with what you expected, and what you learned. It takes"
                " about two minutes."
            )
        ),
        Paragraph(_("Report back now"), return_url, "action"),
        Paragraph(
            _("This link opens your return form directly; it works until {date}.").format(
                date=format_date(link_valid_until(c.due_on), _)
            )
        ),
    ]
    if course_url:
        said.append(Paragraph(_("Your course:"), course_url))
    said.append(
        Paragraph(
            _(
                "You get this e-mail because you committed to an experiment in a Koula session."
                " To stop these reminders:"
            ),
            unsubscribe_url,
            "small",
        )
    )
    return said
