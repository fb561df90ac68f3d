"""Reading an activity's learners for reports and exports, streamed from the database.

Records are read in chunks with one query per chunk (never one per learner),
so memory stays flat whatever the size of the activity.
"""

from __future__ import annotations

from collections.abc import Iterator

from koula.state import LearnerState
from lti.models import Activity, LearnerRecord

__all__ = ["CHUNK", "activity_learners"]

CHUNK = 2000


def activity_learners(activity: Activity) -> Iterator[tuple[str, LearnerState]]:
    """Yield ``(learner id, state)`` for every learner of ``activity``, in a stable order.

    The learner id is the platform's user id (``sub``), which the platform's own
    reports use too.
    """
    rows = (
        LearnerRecord.objects.filter(activity=activity)
        .order_by("pk")
        .values_list("user__sub", "state")
    )
    for sub, state in rows.iterator(chunk_size=CHUNK):
        yield str(sub), LearnerState.from_data(state)
