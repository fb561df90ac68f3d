"""The next step first: which part of the learner page is open, and the "All done" summary.

A learner who opens the page (in a frame a few hundred pixels tall, as Moodle shows it)
sees the one thing to do now right under the header: the practice card while it is not
in, then the commitment, then the return; the parts already done fold to a line that
opens for editing (or, once it can no longer change, for reading: the commitment after the
return, :func:`koula.actions.is_final`), and once the return is in an "All done" summary says
what was done.
:func:`current_part` decides this on the server, so the page is drawn in the right shape
before any script runs; ``koula.js`` keeps it up to date after each submit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koula import (
    FINAL_AFTER,
    FieldType,
    LearnerState,
    Part,
    SessionTemplate,
    is_final,
    what_was_committed,
)
from koula.messages import Gettext

__all__ = [
    "DoneView",
    "current_part",
    "done_view",
    "experiment_field",
    "final_after",
    "fold_word",
    "is_done",
    "step_of",
    "steps_of",
]

DONE = ("submitted", "committed")


def is_done(data: dict[str, Any] | None) -> bool:
    """Whether a part's state (the contract's) is submitted or committed."""
    return (data or {}).get("status") in DONE


def current_part(template: SessionTemplate, state: dict[str, Any]) -> Part | None:
    """Return the part to do now: the first in loop order not done yet whose turn has come.

    The return's turn comes once the learner has committed; None when every part is done.
    """
    for part in template.parts():
        if is_done(state.get(part.value)):
            continue
        if part is Part.RETURN and not is_done(state.get(Part.COMMITMENT.value)):
            continue
        return part
    return None


def step_of(part: Part, current: Part | None, state: dict[str, Any]) -> str:
    """Return ``done``, ``final``, ``current`` or ``next``: how a part's form is drawn.

    ``final`` is a part done that can no longer change (the core's rule,
    :func:`koula.actions.is_final`): it opens read-only, without a submit button.
    """
    return _step(part, current, state, None)


def steps_of(
    template: SessionTemplate, state: dict[str, Any], current: Part | None
) -> dict[Part, str]:
    """Return :func:`step_of` for each part of ``template``, reading the state once."""
    learner = LearnerState.from_data(state)
    return {part: _step(part, current, state, learner) for part in template.parts()}


def _step(
    part: Part, current: Part | None, state: dict[str, Any], learner: LearnerState | None
) -> str:
    if is_done(state.get(part.value)):
        return "final" if is_final(part, learner or LearnerState.from_data(state)) else "done"
    return "current" if part is current else "next"


def final_after(part: Part) -> str:
    """Return the part whose submit makes ``part`` final ("" when none), for ``koula.js``."""
    after = FINAL_AFTER.get(part)
    return after.value if after else ""


def fold_word(step: str, is_open: bool, _: Gettext) -> str:
    """Return what a part's heading button does when pressed: Hide, Edit (done) or Show."""
    if is_open:
        return _("Hide")
    return _("Edit") if step == "done" else _("Show")


def experiment_field(template: SessionTemplate) -> str:
    """Return the key of the commitment's answer that names the experiment ("" when none).

    The return recalls it ("Your experiment: ..."); the script reads it there after a commit.
    The core says which answer it is only through :func:`koula.what_was_committed`.
    """
    for field in template.fields_of(Part.COMMITMENT) if template.experiment else ():
        if what_was_committed(template, {field.key: "?"}) == "?":
            return field.key
    return ""


@dataclass(frozen=True)
class DoneView:
    """The "All done" summary: when the last part (the return) went in, and its first answer."""

    complete: bool
    final: bool  # some part can no longer change: the summary does not promise changes to it
    returned_at: str | None
    result_label: str
    result: str


def done_view(
    template: SessionTemplate, state: dict[str, Any], language: str, steps: dict[Part, str]
) -> DoneView:
    """Return the summary shown under the header once every part is in (hidden before);
    ``steps`` is :func:`steps_of` (no part is the current one once every part is in)."""
    last = template.parts()[-1]
    returned = state.get(last.value) or {}
    fields = template.fields_of(Part.RETURN) if last is Part.RETURN else ()
    label = answer = ""
    if fields:
        first = fields[0]
        label = first.label.get(language)
        value = (returned.get("values") or {}).get(first.key)
        if first.type is FieldType.CHOICE:
            answer = next((c.label.get(language) for c in first.choices if c.value == value), "")
        elif value is not None:
            answer = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return DoneView(
        complete="current" not in steps.values(),
        final="final" in steps.values(),
        returned_at=returned.get("submitted_at"),
        result_label=label,
        result=answer,
    )
