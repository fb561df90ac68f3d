"""An activity's learners for reports and exports, streamed (see :mod:`lti.services.records`)."""

from __future__ import annotations

from collections.abc import Iterator

from koula.rotation import turns_from_data
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula_ui.report import MAX_ROWS, Gathered, gather
from lti.models import Activity, LearnerRecord
from lti.services.community import card_scope
from lti.services.records import learner_rows

__all__ = ["activity_learners", "activity_report"]


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
) -> Gathered:
    """Return the impact report, the table's first rows, the volunteers and the community's
    figures, in one pass."""
    return gather(
        template,
        _records(activity),
        roster_size=roster_size,
        max_rows=max_rows,
        scope=card_scope(activity),
        turns=turns_from_data(activity.host_turns),
    )


def _records(activity: Activity) -> Iterator[tuple[str, str, LearnerState]]:
    return learner_rows(LearnerRecord.objects.filter(activity=activity))
