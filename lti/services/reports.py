"""Reading an activity's learners for reports and exports, streamed from the database.

Records are read in chunks with one query per chunk (never one per learner),
so memory stays flat whatever the size of the activity. The state is read as
JSON text and decoded with orjson, about twice as fast as the standard
library's ``json`` (which the ORM would use). It reads the same values from
every state :mod:`koula.values` accepts (texts, lists of texts, ratings from 1
to 5); a text orjson refuses (``NaN``, which SQLite may hold) is read with
``json``. (orjson reads an integer beyond 64 bits as a float; states never hold one.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast

from koula.rotation import turns_from_data
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula_ui.report import MAX_ROWS, Gathered, gather
from lti.models import Activity, LearnerRecord
from lti.services.community import card_scope

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
    rows = (
        LearnerRecord.objects.filter(activity=activity)
        .order_by("pk")
        .values_list("user__sub", "user__name", Cast("state", TextField()))
    )
    for sub, name, state in rows.iterator(chunk_size=CHUNK):
        yield str(sub), str(name or ""), LearnerState.from_data(_loads(state))


def _loads(text: str | None) -> Any:
    """Return the JSON value of ``text`` (None stays None), as ``json.loads`` would."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
