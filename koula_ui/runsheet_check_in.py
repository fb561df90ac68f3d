"""The run-sheet's check-in: the experiments from earlier sessions, as the host reads them.

:func:`check_in_view` turns the core's :class:`~koula.use_cases.series.check_in.CheckIn`
into the rows ``runsheet_check_in.html`` draws in the first phase of the
run-sheet: who committed to what, in which session, due when, and whether
they reported back (on time or late), still open, or overdue. A learner host
also reads how many commitments were not shared with the group (never whose).
"""

from __future__ import annotations

from dataclasses import dataclass

from koula import CheckIn, CheckInEntry
from koula.messages import Gettext
from koula_ui.strings import format_date

__all__ = ["CheckInRow", "CheckInView", "check_in_view"]


@dataclass(frozen=True)
class CheckInRow:
    learner_id: str
    name: str
    what: str
    session: str
    due_on: str | None
    """YYYY-MM-DD, drawn by the ``time`` filter."""
    status: str
    state: str
    """``reported``, ``open`` or ``overdue`` (a data attribute for styles and tests)."""


@dataclass(frozen=True)
class CheckInView:
    rows: tuple[CheckInRow, ...]
    notes: tuple[str, ...]


def check_in_view(found: CheckIn, language: str, _: Gettext) -> CheckInView:
    """Return the check-in's rows and the notes under them, in ``language``."""
    rows = tuple(_row(entry, language, _) for entry in found.entries)
    notes = []
    if found.more:
        notes.append(_("And {count} more, not listed here.").format(count=found.more))
    if found.hidden:
        notes.append(
            _(
                "{count} more were not shared with the group; course staff see them in the"
                " staff view."
            ).format(count=found.hidden)
        )
    return CheckInView(rows, tuple(notes))


def _row(entry: CheckInEntry, language: str, _: Gettext) -> CheckInRow:
    if entry.reported_at is not None:
        day = format_date(entry.reported_at.date(), _)
        status = (
            _("Reported back late, on {date}")
            if entry.on_time is False
            else _("Reported back on {date}")
        ).format(date=day)
        state = "reported"
    elif entry.overdue:
        status, state = _("Not reported yet, overdue"), "overdue"
    else:
        status, state = _("Not reported yet"), "open"
    return CheckInRow(
        learner_id=entry.learner_id,
        name=entry.name,
        what=entry.what or _("(no description)"),
        session=_("Session {number}: {title}").format(
            number=entry.number, title=entry.session.title_in(language)
        ),
        due_on=entry.due_on.isoformat() if entry.due_on else None,
        status=status,
        state=state,
    )
