"""Reading an activity's learners for reports and exports, streamed from the database.

Records are read in chunks with one query per chunk (never one per learner),
so memory stays flat whatever the size of the activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from koula.impact import ImpactAccumulator, ImpactReport
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula_ui.report import MAX_ROWS
from koula_ui.report_learners import learner_row
from lti.models import Activity, LearnerRecord

__all__ = ["CHUNK", "ActivityReport", "activity_learners", "activity_report"]

CHUNK = 2000


def activity_learners(activity: Activity) -> Iterator[tuple[str, LearnerState]]:
    """Yield ``(learner id, state)`` for every learner of ``activity``, in a stable order.

    The learner id is the platform's user id (``sub``), which the platform's own
    reports use too.
    """
    for sub, _name, state in _records(activity):
        yield sub, state


@dataclass(frozen=True)
class ActivityReport:
    report: ImpactReport
    rows: list[dict[str, Any]]
    """The learner table's first rows."""
    volunteers: list[str]
    """Who offered to host the next session (names, else platform ids), earliest first."""


def activity_report(
    activity: Activity,
    template: SessionTemplate,
    *,
    roster_size: int | None,
    max_rows: int = MAX_ROWS,
) -> ActivityReport:
    """Return the impact report, the table's first rows and the volunteers, in one pass."""
    accumulator = ImpactAccumulator(template)
    rows: list[dict[str, Any]] = []
    offers: list[tuple[dt.datetime, str]] = []
    for sub, name, state in _records(activity):
        accumulator.add(sub, state)
        if len(rows) < max_rows:
            rows.append(learner_row(template, sub, state, name=name or None))
        if state.volunteered_at is not None:
            offers.append((state.volunteered_at, name or sub))
    report = accumulator.report(roster_size=roster_size, computed_at=dt.datetime.now(dt.UTC))
    return ActivityReport(report, rows, [who for _when, who in sorted(offers)])


def _records(activity: Activity) -> Iterator[tuple[str, str, LearnerState]]:
    rows = (
        LearnerRecord.objects.filter(activity=activity)
        .order_by("pk")
        .values_list("user__sub", "user__name", "state")
    )
    for sub, name, state in rows.iterator(chunk_size=CHUNK):
        yield str(sub), str(name or ""), LearnerState.from_data(state)
