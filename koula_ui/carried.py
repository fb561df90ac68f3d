"""The experiments a learner carries over from earlier sessions, shown first on a later page.

:func:`carried_views` turns the core's
:class:`~koula.use_cases.series.carry_over.CarriedExperiment` list into what
``carried.html`` draws at the top of the activity: "Your experiment from
<session, date>, due <date>: report back", the last words a link to that
session's page when the adapter knows it (Open edX: the unit's ``jump_to``),
where the return is made. An adapter that can write the earlier session's state
(LTI) asks :func:`koula_ui.render.render_activity` for ``carried_forms``: each
experiment then comes with that session's return form, which ``koula.js`` sends
with ``"session"`` (``docs/learner-api.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from koula import CarriedExperiment

__all__ = ["CarriedView", "carried_views"]


@dataclass(frozen=True)
class CarriedView:
    session_id: str
    title: str
    date: str
    """The session's date, YYYY-MM-DD (drawn by the ``time`` filter)."""
    what: str
    due_on: str | None
    overdue: bool
    url: str | None


def carried_views(carried: Sequence[CarriedExperiment], language: str) -> tuple[CarriedView, ...]:
    """Return one view per open experiment, oldest session first."""
    return tuple(
        CarriedView(
            session_id=found.session.id,
            title=found.session.title_in(language),
            date=found.session.date.isoformat(),
            what=found.what,
            due_on=found.due_on.isoformat() if found.due_on else None,
            overdue=found.overdue,
            url=found.session.url,
        )
        for found in carried
    )
