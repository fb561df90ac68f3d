"""Reading an activity's learners for reports and exports, streamed from the database.

Records are read in chunks with one query per chunk (never one per learner),
so memory stays flat whatever the size of the activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from koula.impact import ImpactAccumulator, ImpactReport
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula_ui.report import MAX_ROWS
from koula_ui.report_learners import learner_row
from lti.models import Activity, LearnerRecord

__all__ = ["CHUNK", "activity_learners", "activity_report"]

CHUNK = 2000


def activity_learners(activity: Activity) -> Iterator[tuple[str, LearnerState]]:
    """Yield ``(learner id, state)`` for every learner of ``activity``, in a stable order.

    The learner id is the platform's user id (``sub``), which the platform's own
    reports use too.
    """
    for sub, _name, state in _records(activity):
        yield sub, state


def activity_report(
    activity: Activity,
    template: SessionTemplate,
    *,
    roster_size: int | None,
    max_rows: int = MAX_ROWS,
) -> tuple[ImpactReport, list[dict[str, Any]], int]:
    """Return the impact report, the table's first ``max_rows`` rows and the number of
    learners, in one pass."""
    accumulator = ImpactAccumulator(template)
    rows: list[dict[str, Any]] = []
    count = 0
    for sub, name, state in _records(activity):
        accumulator.add(sub, state)
        count += 1
        if len(rows) < max_rows:
            rows.append(learner_row(template, sub, state, name=name or None))
    report = accumulator.report(roster_size=roster_size, computed_at=dt.datetime.now(dt.UTC))
    return report, rows, count


def _records(activity: Activity) -> Iterator[tuple[str, str, LearnerState]]:
    rows = (
        LearnerRecord.objects.filter(activity=activity)
        .order_by("pk")
        .values_list("user__sub", "user__name", "state")
    )
    for sub, name, state in rows.iterator(chunk_size=CHUNK):
        yield str(sub), str(name or ""), LearnerState.from_data(state)
