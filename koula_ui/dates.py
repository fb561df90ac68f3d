"""Dates written for people, in their language, the same way the shared JavaScript writes them.

The state carries ISO 8601 times (``2026-11-30T09:15:00.000Z``) and dates
(``2026-12-14``). The learner page shows them as "14 December 2026" or
"14 décembre 2026": month names and the order of day, month and year come
from the gettext catalog, and :func:`date_strings` hands the same strings to
the browser so that a date written after an action reads like the first one.
Only the calendar date (UTC) is shown, never a time of day, so the page
needs no knowledge of the learner's time zone.
"""

from __future__ import annotations

import datetime as dt

from koula.messages import Gettext

__all__ = ["date_strings", "format_date", "iso_date"]


def month_names(_: Gettext) -> tuple[str, ...]:
    """Return the twelve month names in the language of ``_``, as used inside a date."""
    return (
        _("January"),
        _("February"),
        _("March"),
        _("April"),
        _("May"),
        _("June"),
        _("July"),
        _("August"),
        _("September"),
        _("October"),
        _("November"),
        _("December"),
    )


def date_strings(_: Gettext) -> dict[str, object]:
    """Return what the browser needs to write dates: ``months`` and ``date_format``."""
    # Translators: how a date reads; keep the three names in braces as they are.
    return {"months": list(month_names(_)), "date_format": _("{day} {month} {year}")}


def iso_date(value: str | dt.date | None) -> str | None:
    """Return the ``YYYY-MM-DD`` part of an ISO date or time (None when absent or unreadable)."""
    if value is None or value == "":
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def format_date(value: str | dt.date | None, _: Gettext) -> str:
    """Return ``value`` as a readable date ("14 December 2026"); empty text when absent."""
    day = iso_date(value)
    if day is None:
        return ""
    date = dt.date.fromisoformat(day)
    return _("{day} {month} {year}").format(
        day=date.day, month=month_names(_)[date.month - 1], year=date.year
    )
