"""The session date staff set: in the picker, on the deep link, or in the staff view.

A series is ordered by its activities' session dates (their creation time when
unset, :mod:`lti.services.series`). Staff type the date as the page shows it,
``dd/mm/yyyy`` (also ``d/m/yyyy``, separated by ``/``, ``-`` or ``.``), or as ``YYYY-MM-DD``
(a browser's date field sends that); an empty value clears it. A deep link carries it
as the custom parameter ``koula_session_date``.
"""

from __future__ import annotations

import datetime as dt
import re

from koula import BadRequest
from koula.messages import N_, translate
from lti.models import Activity
from lti.services.staff_forms import form_activity

__all__ = [
    "CUSTOM_PARAMETER",
    "FIELD",
    "custom_session_date",
    "parse_session_date",
    "set_session_date",
    "shown_date",
]

FIELD = "session_date"
CUSTOM_PARAMETER = "koula_session_date"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
PAGE_DAY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
BAD_DATE = N_("Enter the session's date as dd/mm/yyyy (for example 16/03/2026), or leave it empty.")


def parse_session_date(text: str | None, *, language: str) -> dt.date | None:
    """Return the date ``text`` names (None when empty).

    Raises BadRequest (400), under the ``session_date`` field, for anything else.
    """
    text = (text or "").strip()
    if not text:
        return None
    day = _day(text)
    if day is None:
        raise BadRequest({FIELD: translate(language, BAD_DATE)})
    return day


def custom_session_date(custom: object) -> dt.date | None:
    """Return the date of a launch's ``koula_session_date`` custom parameter (None when absent
    or not a date: a link is never refused for it)."""
    if not isinstance(custom, dict):
        return None
    return _iso_day(str(custom.get(CUSTOM_PARAMETER) or "").strip())


def set_session_date(activity_id: int, text: str | None, *, language: str) -> Activity:
    """Set (or, when ``text`` is empty, clear) the session date of ``activity_id``.

    Raises ActivityGone (404) when the activity was deleted, else BadRequest (400) when
    ``text`` is not a date.
    """
    activity = form_activity(activity_id, language)
    day = parse_session_date(text, language=language)
    activity.session_date = day
    activity.save(update_fields=["session_date"])
    return activity


def shown_date(day: dt.date | str | None) -> str:
    """Return a session date as the staff view's field shows it (``dd/mm/yyyy``)."""
    if not day:
        return ""
    parsed = day if isinstance(day, dt.date) else _iso_day(day)
    return parsed.strftime("%d/%m/%Y") if parsed else str(day)


def _day(text: str) -> dt.date | None:
    """The date of ``YYYY-MM-DD`` or of the page's ``dd/mm/yyyy`` (``d/m/yyyy``, ``-``, ``.``)."""
    found = PAGE_DAY.fullmatch(text)
    if found is None:
        return _iso_day(text)
    return _within(int(found[4]), int(found[3]), int(found[1]))


def _iso_day(text: str) -> dt.date | None:
    if not ISO_DAY.fullmatch(text):
        return None
    year, month, day = text.split("-")
    return _within(int(year), int(month), int(day))


def _within(year: int, month: int, day: int) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if EARLIEST <= date <= LATEST else None
