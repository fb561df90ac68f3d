"""What the staff pages read from an activity's members, in one pass.

:func:`gather` reads each member once and returns a :class:`Gathered`: the
impact report (:mod:`koula.impact`), the learner table's first rows (the CSV's
columns, values unformatted: :func:`learner_row`), the volunteers, the
community's figures (:mod:`koula.community_report`) and the host rotation.
:func:`report_of` does it for an activity behind the port. The shared UI
(:mod:`koula_ui.report`) draws the result in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from koula.community_report import CommunityReport, CommunityTally
from koula.export import CSV_COLUMNS
from koula.impact import ImpactAccumulator, ImpactReport, indicator_key
from koula.progress import progress_of
from koula.rotation import Rotation, Turn, Volunteers, rotation_of
from koula.state import LearnerState
from koula.template import Part, SessionTemplate
from koula.use_cases.port import ActivityStore, Member

__all__ = ["MAX_ROWS", "ROW_KEYS", "Gathered", "gather", "learner_row", "report_of"]

MAX_ROWS = 200
ROW_KEYS = (CSV_COLUMNS[0], "name", *CSV_COLUMNS[1 : CSV_COLUMNS.index("score") + 1])
"""The learner table's keys: the CSV's columns up to the score, a display name after the id."""


@dataclass(frozen=True)
class Gathered:
    """What one pass over an activity's learners gives the staff pages."""

    report: ImpactReport
    rows: list[dict[str, Any]]
    """The learner table's first rows (see :data:`ROW_KEYS`)."""
    volunteers: list[str]
    """Who offered to host the next session (name, else id), earliest offer first."""
    community: CommunityReport
    rotation: Rotation


def report_of(
    activity: ActivityStore,
    template: SessionTemplate,
    *,
    roster_size: int | None = None,
    roster: Mapping[str, str] | None = None,
    max_rows: int = MAX_ROWS,
) -> Gathered:
    """Return what :func:`gather` finds among every member of ``activity``, computed now."""
    return gather(
        template,
        activity.members(),
        roster_size=roster_size,
        roster=roster,
        max_rows=max_rows,
        scope=activity.card_scope(),
        turns=activity.turns(),
        computed_at=activity.now(),
    )


def gather(
    template: SessionTemplate,
    learners: Iterable[Member],
    *,
    computed_at: dt.datetime,
    roster_size: int | None = None,
    roster: Mapping[str, str] | None = None,
    max_rows: int = MAX_ROWS,
    scope: str = "",
    turns: Sequence[Turn] = (),
) -> Gathered:
    """Return the report, the table's first rows, the volunteers and the community's figures
    from ``(id, name, state)`` triples, reading each learner once.

    ``roster`` (the course's learners, id: name, as the platform gave them) sets the
    roster size, names the members without a name, and adds a row for each of its
    learners who is not a member (not started) after the members' rows.

    ``scope`` is the activity's card scope (:func:`koula.community.public_id`);
    ``turns`` are the hand-overs so far (:mod:`koula.rotation`).
    """
    accumulator = ImpactAccumulator(template)
    community = CommunityTally(template, scope)
    rows: list[dict[str, Any]] = []
    offers = Volunteers()
    seen: set[str] = set()
    for learner_id, name, state in learners:
        accumulator.add(learner_id, state)
        community.add(learner_id, name, state)
        if roster:
            seen.add(learner_id)
            name = name or roster.get(learner_id, "")
        if len(rows) < max_rows:
            rows.append(learner_row(template, learner_id, state, name=name or None))
        offers.add(learner_id, name, state)
    if roster is not None:
        roster_size = len(roster) if roster_size is None else roster_size
        for learner_id, name in _not_started(roster, seen, max_rows - len(rows)):
            rows.append(learner_row(template, learner_id, LearnerState(), name=name or None))
    report = accumulator.report(roster_size=roster_size, computed_at=computed_at)
    volunteers = offers.names()
    return Gathered(report, rows, volunteers, community.report(), rotation_of(turns, volunteers))


def _not_started(roster: Mapping[str, str], seen: set[str], room: int) -> Iterator[tuple[str, str]]:
    """The roster's learners who are not in ``seen``, at most ``room`` of them."""
    for learner_id, name in roster.items():
        if room <= 0:
            return
        if learner_id not in seen:
            room -= 1
            yield learner_id, name


def learner_row(
    template: SessionTemplate, learner_id: str, state: LearnerState, *, name: str | None = None
) -> dict[str, Any]:
    """Return one row of the learners table (keys of :data:`ROW_KEYS`), values unformatted."""
    progress = progress_of(template, state)
    card, commitment, return_ = state.deliverable, state.commitment, state.return_
    asked, told = template.fields_of(Part.COMMITMENT), template.fields_of(Part.RETURN)
    experiment = Part.COMMITMENT in template.parts()

    def answer(values: Mapping[str, Any], key: str | None) -> Any:
        return values.get(key) if key else None

    return {
        "learner_id": learner_id,
        "name": name,
        "deliverable_status": card.status(Part.DELIVERABLE),
        "deliverable_submitted_at": card.done_at,
        "commitment_status": commitment.status(Part.COMMITMENT) if experiment else None,
        "committed_at": commitment.done_at,
        "return_due_on": commitment.due_on,
        "return_status": return_.status(Part.RETURN) if experiment else None,
        "returned_at": return_.done_at,
        "return_on_time": return_.on_time,
        "applied": answer(return_.values, indicator_key(told, "applied")),
        "confidence_at_commitment": answer(commitment.values, indicator_key(asked, "confidence")),
        "confidence_at_return": answer(return_.values, indicator_key(told, "confidence")),
        "completion": progress.completion,
        "score": progress.score,
    }
