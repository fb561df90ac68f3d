"""An activity's learners for reports and exports, streamed (see :mod:`lti.services.records`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from koula import MAX_ROWS, Gathered, LearnerState, SessionTemplate, report_of
from lti.models import Activity, LearnerRecord
from lti.services.community import ActivityRecords
from lti.services.records import learner_rows

__all__ = ["activity_learners", "activity_members", "activity_report"]


def activity_learners(activity: Activity) -> Iterator[tuple[str, LearnerState]]:
    """Yield ``(learner id, state)`` for every learner of ``activity``, in a stable order.

    The learner id is the platform's user id (``sub``), which the platform's own
    reports use too.
    """
    for sub, _name, state in _records(activity):
        yield sub, state


def activity_members(activity: Activity) -> Iterator[tuple[str, str, LearnerState]]:
    """Yield ``(learner id, name, state)`` for every learner of ``activity``, in a stable
    order (the name the platform gave at launch, else "")."""
    return _records(activity)


def activity_report(
    activity: Activity,
    template: SessionTemplate,
    *,
    roster_size: int | None = None,
    roster: Mapping[str, str] | None = None,
    max_rows: int = MAX_ROWS,
) -> Gathered:
    """Return the impact report, the table's first rows, the volunteers and the community's
    figures, in one pass (the core's :func:`~koula.use_cases.gathering.report_of`); with
    the course's ``roster`` (id: name), its learners who have not started are counted and
    listed too."""
    return report_of(
        ActivityRecords(activity),
        template,
        roster_size=roster_size,
        roster=roster,
        max_rows=max_rows,
    )


def _records(activity: Activity) -> Iterator[tuple[str, str, LearnerState]]:
    return learner_rows(LearnerRecord.objects.filter(activity=activity))
