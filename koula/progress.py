"""Progress, derived from a learner's state and the template's scoring policy; never stored.

* ``completion``: the share of the template's parts that are done, so 1.0
  exactly when the loop closes (the return is submitted; the practice card
  alone for a template without an experiment).
* ``score``: the policy's weights of the done parts over the weights of all parts.
* ``activity``: the LTI AGS word: Initialized (nothing yet), Started (drafts
  only), InProgress (some part done), Submitted (card and commitment done, the
  return awaited), Completed (every part done).

Parts are never undone, so completion and score never go down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koula.state import LearnerState
from koula.template import Part, SessionTemplate

__all__ = ["ACTIVITY_PROGRESS", "Progress", "learner_state_data", "progress_of"]

ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")


@dataclass(frozen=True)
class Progress:
    completion: float
    score: float
    activity: str

    def to_data(self) -> dict[str, Any]:
        return {"completion": self.completion, "score": self.score, "activity": self.activity}


def progress_of(template: SessionTemplate, state: LearnerState) -> Progress:
    """Return the learner's progress in ``template``."""
    parts = template.parts()
    done = [part for part in parts if state.part(part).done]
    weights = sum(template.scoring.weight(part) for part in parts)
    score = sum(template.scoring.weight(part) for part in done) / weights if weights else 0.0
    completion = len(done) / len(parts)
    return Progress(round(completion, 4), round(score, 4), _activity(template, state, done))


def _activity(template: SessionTemplate, state: LearnerState, done: list[Part]) -> str:
    parts = template.parts()
    if len(done) == len(parts):
        return "Completed"
    if Part.DELIVERABLE in done and Part.COMMITMENT in done:
        return "Submitted"
    if done:
        return "InProgress"
    if any(state.part(part).draft is not None for part in parts):
        return "Started"
    return "Initialized"


def learner_state_data(
    template: SessionTemplate,
    state: LearnerState,
    *,
    data: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Return the learner state of ``docs/learner-api.md``: the three parts and progress.

    ``data`` (``state.to_data()``) and ``progress`` (``progress_of(template, state)``) are
    used when the caller has them already (the answer then shares ``data``'s parts)."""
    parts = state.to_data() if data is None else data
    progress = progress_of(template, state) if progress is None else progress
    return {**parts, "progress": progress.to_data()}
