"""The session date staff set: in the picker, on the deep link, or in the staff view.

A series is ordered by its activities' session dates (their creation time when
unset, :mod:`lti.services.series`). Staff type the date as ``YYYY-MM-DD`` (a
browser's date field sends that); an empty value clears it. A deep link carries it
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
]

FIELD = "session_date"
CUSTOM_PARAMETER = "koula_session_date"
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
BAD_DATE = N_("Enter the session's date as YYYY-MM-DD (for example 2026-03-16), or leave it empty.")


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
    return _day(str(custom.get(CUSTOM_PARAMETER) or "").strip())


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


def _day(text: str) -> dt.date | None:
    if not ISO_DAY.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if EARLIEST <= day <= LATEST else None
