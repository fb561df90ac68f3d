r"""The "Add to my calendar" file of a commitment: one all-day event on its due date (RFC 5545).

:func:`commitment_calendar` writes a ``text/calendar`` file with one VEVENT on
the experiment's due date (``DTSTART;VALUE=DATE`` and the next day as
``DTEND``), its summary and description in the learner's language, and an
alarm at 09:00 (the calendar's own time zone) the day before (``TRIGGER:-PT15H``
from the all-day start). Its ``UID`` is the same for one learner in one
session (a hash keyed with the session's card scope, so it does not reveal the
learner's id): adding the file again updates the event instead of doubling it.

Lines end with CRLF and are folded at 75 octets, never inside a UTF-8
character (:func:`fold`); text values escape backslashes, semicolons, commas
and line breaks, and drop other control characters (:func:`escape_text`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from koula.errors import Conflict
from koula.messages import N_, gettext_for, pick_language, translate
from koula.state import LearnerState
from koula.use_cases.series.sessions import Session, what_was_committed

__all__ = ["CalendarEvent", "calendar_text", "commitment_calendar", "escape_text", "fold"]

MAX_OCTETS = 75
PRODID = "-//Koula//Koula experiments//EN"
ALARM_TRIGGER = "-PT15H"
"""From the all-day start (midnight): 09:00 the day before, in the calendar's time zone."""
NO_COMMITMENT = N_(
    "There is no experiment to add to your calendar yet: commit to one first, then try again."
)


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    stamp: dt.datetime
    day: dt.date
    summary: str
    description: str
    alarm: str
    language: str
    url: str | None = None


def escape_text(text: str) -> str:
    """Return ``text`` as an RFC 5545 TEXT value: ``\\``, ``;``, ``,`` and line breaks escaped,
    other control characters (but tabs) dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(c for c in text if c in "\t\n" or (ord(c) >= 32 and ord(c) != 127))
    return kept.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Return ``line`` folded into lines of at most 75 octets (UTF-8), joined by CRLF and a
    space; a character is never split."""
    chunks: list[str] = []
    current: list[str] = []
    size, limit = 0, MAX_OCTETS
    for character in line:
        octets = len(character.encode("utf-8"))
        if size + octets > limit:
            chunks.append("".join(current))
            current, size, limit = [], 0, MAX_OCTETS - 1  # the leading space is one octet
        current.append(character)
        size += octets
    chunks.append("".join(current))
    return "\r\n ".join(chunks)


def calendar_text(event: CalendarEvent) -> str:
    """Return the ``.ics`` text of one all-day ``event`` with its alarm."""
    language = event.language
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        "DTSTAMP:" + event.stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
        f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{event.day + dt.timedelta(days=1):%Y%m%d}",
        f"SUMMARY;LANGUAGE={language}:{escape_text(event.summary)}",
        f"DESCRIPTION;LANGUAGE={language}:{escape_text(event.description)}",
    ]
    if event.url and all(c.isprintable() and not c.isspace() for c in event.url):
        lines.append(f"URL:{event.url}")
    lines += [
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION;LANGUAGE={language}:{escape_text(event.alarm)}",
        f"TRIGGER:{ALARM_TRIGGER}",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)


def commitment_calendar(
    session: Session,
    learner_id: str,
    state: LearnerState,
    *,
    language: str,
    now: dt.datetime,
    url: str | None = None,
) -> str:
    """Return the ``.ics`` of the learner's experiment in ``session``, in ``language``;
    ``url`` (the return form's link) goes in the description and the event.

    Raises Conflict (409) when the learner has not committed to an experiment there.
    """
    language = pick_language(language)
    commitment = state.commitment
    if commitment.done_at is None or commitment.due_on is None:
        raise Conflict({"_": translate(language, NO_COMMITMENT)})
    _ = gettext_for(language)
    what = what_was_committed(session.template, commitment.values)
    summary = (
        _("Report back on my experiment: {what}").format(what=what)
        if what
        else _("Report back on my Koula experiment")
    )
    description = _(
        'I committed to this experiment in the session "{session}". Today is the day to report'
        " back: what happened, compared with what I expected, and what I learned."
    ).format(session=session.title_in(language))
    if url:
        description += "\n" + _("Report back here: {url}").format(url=url)
    digest = hashlib.sha256(f"{session.card_scope}\x00{session.id}\x00{learner_id}".encode())
    event = CalendarEvent(
        uid=f"{digest.hexdigest()[:32]}@koula",
        stamp=now,
        day=commitment.due_on,
        summary=summary,
        description=description,
        alarm=_("My experiment is due tomorrow: time to report back."),
        language=language,
        url=url,
    )
    return calendar_text(event)
