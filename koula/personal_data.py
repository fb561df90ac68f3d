"""A learner's personal data: what a copy of it holds, and what erasing it keeps.

What a learner writes about their work is personal data. An adapter exports it on
request (:func:`export_of`: the learner state of ``docs/learner-api.md``) and erases it on
request or when the retention period ends (:func:`erased_state`). An erased state keeps
only what the reports count, without a word the learner wrote:

* every part stays done or not, on the same day (times cut to midnight UTC), with its due
  date and whether the return was on time, so statuses, completion, score and progress
  are unchanged;
* answers to choice and rating questions (applied yes/partly/no, confidence, relevance,
  value cycle) stay, so every rate and mean is unchanged; every other answer (texts,
  lists, links, dates) becomes empty, in submitted values and drafts alike;
* a part with a draft only keeps an empty draft, so a learner who had started still has;
* the practice card is no longer shared (nothing is left to show) and the host offer is
  withdrawn (it shows a name); the learner's "I will use this" marks on others' cards stay
  (they count the other cards' reuse and say nothing of the learner).

The report figures made of the learner's own words (blockers named, value stories told,
their shared card and the marks on it) no longer count them. :func:`erased_turns` replaces
the learner in the host hand-overs by a neutral label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from koula.community import public_id
from koula.progress import learner_state_data
from koula.rotation import Turn, name_key
from koula.state import LearnerState, PartState
from koula.template import FieldType, Part, SessionTemplate
from koula.values import Values

__all__ = [
    "KEPT_TYPES",
    "erased_label",
    "erased_state",
    "erased_turns",
    "export_of",
    "marks_on_card",
    "names_learner",
]

KEPT_TYPES = frozenset({FieldType.CHOICE, FieldType.RATING})
"""The answers an erased state keeps: picked from the template's own list, never written."""


def erased_state(state: LearnerState, template: SessionTemplate | None) -> LearnerState:
    """Return ``state`` without the learner's words (the module docstring says what stays).

    Without a template (an activity not set up), every answer becomes empty. Erasing an
    erased state changes nothing.
    """
    parts = template.parts() if template is not None else tuple(Part)
    kept = {
        part: {f.key: f.type for f in template.fields_of(part)} if template is not None else {}
        for part in parts
    }
    erased = replace(
        state,
        volunteered_at=None,
        shared_at=None,
        share_commitment=False,
    )
    for part in Part:
        erased = erased.with_part(part, _erased_part(state.part(part), kept.get(part, {})))
    return erased


def _erased_part(part: PartState, types: dict[str, FieldType]) -> PartState:
    if part.done:
        return replace(
            part, values=_blank(part.values, types), draft=None, done_at=_day(part.done_at)
        )
    draft = _blank(part.draft, types) if part.draft else None
    return replace(part, values={}, draft=draft or None)


def _blank(values: Values | None, types: dict[str, FieldType]) -> Values:
    """Keep choices and ratings; every other answer becomes empty (a list stays a list)."""
    blank: dict[str, Any] = {}
    for key, value in (values or {}).items():
        if types.get(key) in KEPT_TYPES:
            blank[key] = value
        else:
            blank[key] = [] if isinstance(value, list) else ""
    return blank


def _day(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def export_of(state: LearnerState, template: SessionTemplate | None) -> dict[str, Any]:
    """Return the learner's state as ``docs/learner-api.md`` draws it (with progress when the
    activity has a template): everything Koula keeps of one learner in one activity."""
    if template is None:
        return state.to_data()
    return learner_state_data(template, state)


def erased_label(token: str) -> str:
    """Return the neutral name that stands for an erased learner in host hand-overs: one per
    learner (``token``, a keyed hash), so the report still counts distinct hosts."""
    return f"Participant {token[:6]}"


def erased_turns(
    turns: Sequence[Turn], *, learner_id: str, names: Iterable[str], label: str
) -> tuple[tuple[Turn, ...], int]:
    """Return ``turns`` with the learner's (linked to ``learner_id``, or naming one of
    ``names``) replaced by ``label`` and no link, and how many were replaced."""
    names = list(names)
    changed = 0
    kept = []
    for turn in turns:
        if turn.learner_id == learner_id or names_learner(turn.name, names):
            turn = Turn(label, None, turn.at)
            changed += 1
        kept.append(turn)
    return tuple(kept), changed


def names_learner(name: str, names: Iterable[str]) -> bool:
    """Return True when ``name`` is one of the learner's ``names`` (as hand-overs compare
    names: :func:`koula.rotation.name_key`); a blank name is no one's."""
    return bool(name.strip()) and name_key(name) in {name_key(n) for n in names if n.strip()}


def marks_on_card(scope: str, learner_id: str, marks: Iterable[Sequence[str]]) -> int:
    """Return how many of ``marks`` (each learner's "I will use this" card ids) are on the
    card of ``learner_id`` in the activity ``scope`` (:func:`koula.community.public_id`)."""
    card = public_id(scope, learner_id)
    return sum(card in marked for marked in marks)
