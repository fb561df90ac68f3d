"""One learner action from stored state to HTTP answer, the same for every adapter.

:func:`perform` reads the stored state, applies the action, and says what to
store, what to answer (status and JSON body of ``docs/learner-api.md``), and whether
progress changed (so the adapter reports it to its gradebook).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from koula.actions import apply_action
from koula.community import Community
from koula.errors import ActionError
from koula.progress import Progress, learner_state_data, progress_of
from koula.state import LearnerState
from koula.template import SessionTemplate

__all__ = ["Outcome", "perform"]


@dataclass(frozen=True)
class Outcome:
    status: int
    body: dict[str, Any]
    stored: dict[str, Any]
    """The state to store, refused values kept as the draft."""
    progress: Progress | None
    """The new progress when the action changed it, else None."""


def perform(
    action: str,
    body: object,
    *,
    template: SessionTemplate,
    stored: dict[str, Any] | None,
    now: dt.datetime,
    language: str,
    community: Community | None = None,
) -> Outcome:
    """Apply ``action`` to the ``stored`` state; return what to store and answer.

    ``community`` is what ``reuse_card`` checks the card against (see :mod:`koula.community`).
    """
    state = LearnerState.from_data(stored)
    before = progress_of(template, state)
    try:
        state = apply_action(
            action,
            body,
            template=template,
            state=state,
            now=now,
            language=language,
            community=community,
        )
    except ActionError as error:
        return Outcome(error.status, {"errors": error.errors}, error.state.to_data(), None)
    after, stored = progress_of(template, state), state.to_data()
    return Outcome(
        200,
        learner_state_data(template, state, data=stored, progress=after),
        stored,
        after if after != before else None,
    )
