"""The impact report managers read, computed in one pass over the learners in bounded memory.

Feed :class:`ImpactAccumulator` each learner once, then call ``report``. Only
submitted parts count (never drafts), and answers are found through the
fields' ``indicator``; a figure whose field the template lacks is None.
Denominators (``of`` in every :class:`~koula.impact_figures.Figure`):

* ``started`` (any draft or any part done): of the population, the roster size
  when given (or the learners covered, if more), else the learners covered;
  ``not_started`` = population - started, only with a roster.
* ``cards`` (practice cards submitted) and ``commitments``: of ``started``.
* ``returns``: of ``commitments``; ``on_time``, ``applied`` yes/partly/no and
  ``applied_rate`` (yes + partly), value cycles: of ``returns``.
* ``can_do_now`` yes/partly/no: of the commitments that answered it.
* ``blockers.learners``: returns naming at least one blocker, of ``returns``.
* Means: ``confidence_at_commitment`` and ``relevance`` over the commitments
  that rated them, ``confidence_at_return`` over such returns,
  ``confidence_change`` (return minus commitment) over learners who gave both,
  ``completion`` and ``score`` (:func:`koula.progress.progress_of`) over all
  learners covered.
* ``funnel``: learners who started, submitted a card, committed, returned
  (each counted on its own: a learner may commit without a card).
* ``blockers``: the 10 largest groups of :func:`~koula.impact_figures.normalise_blocker`;
  ``value_stories``: returns per value cycle (then untagged ones), of
  ``returns``, each with its stories told and the first 5 kept;
  ``activity``: learners per progress word of :mod:`koula.progress`; with a roster,
  ``Initialized`` is ``not_started`` (the roster's learners who have not started, whether
  or not they opened the activity), so every count of who has not started agrees.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from koula.impact_figures import (
    VALUE_CYCLES,
    Blockers,
    BlockerTally,
    Figure,
    Mean,
    StoryGroup,
    StoryTally,
)
from koula.progress import ACTIVITY_PROGRESS, Progress, progress_of
from koula.state import LearnerState, format_time
from koula.template import Field, Part, SessionTemplate
from koula.values import Values

__all__ = ["ImpactAccumulator", "ImpactReport", "impact_report", "indicator_key"]

ANSWERS = ("yes", "partly", "no")
BLOCKER_CAPACITY = 5_000
TOP_BLOCKERS = 10
STORIES_PER_CYCLE = 5
COMMITMENT_INDICATORS = {"confidence_at_commitment": "confidence"} | {
    name: name for name in ("relevance", "can_do_now")
}
RETURN_INDICATORS = {"confidence_at_return": "confidence"} | {
    name: name for name in ("applied", "blockers", "value_story", "value_cycle")
}


def indicator_key(fields: Iterable[Field], indicator: str) -> str | None:
    """Return the key of the first field feeding ``indicator``, or None."""
    return next((f.key for f in fields if f.indicator == indicator), None)


@dataclass(frozen=True)
class ImpactReport:
    """Every figure of the module docstring; ``to_data`` gives its JSON form."""

    template_id: str
    computed_at: dt.datetime
    learners: int
    roster_size: int | None
    started: Figure
    not_started: Figure | None
    cards: Figure
    commitments: Figure | None
    returns: Figure | None
    on_time: Figure | None
    applied: Mapping[str, Figure] | None
    applied_rate: Figure | None
    confidence_at_commitment: Mean | None
    confidence_at_return: Mean | None
    confidence_change: Mean | None
    relevance: Mean | None
    can_do_now: Mapping[str, Figure] | None
    blockers: Blockers | None
    value_stories: tuple[StoryGroup, ...] | None
    funnel: Mapping[str, int]
    completion: Mean
    score: Mean
    activity: Mapping[str, int]

    def to_data(self) -> dict[str, Any]:
        return {f.name: _data(getattr(self, f.name)) for f in fields(self)}


def _data(value: Any) -> Any:
    if hasattr(value, "to_data"):
        return value.to_data()
    if isinstance(value, dt.datetime):
        return format_time(value)
    if isinstance(value, tuple):
        return [_data(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _data(item) for key, item in value.items()}
    return value


class ImpactAccumulator:
    """Takes learners one by one (each once) and keeps only counters and bounded tallies."""

    def __init__(self, template: SessionTemplate, *, blocker_capacity: int = BLOCKER_CAPACITY):
        self._template = template
        self._experiment = Part.COMMITMENT in template.parts()
        commitment, return_ = template.fields_of(Part.COMMITMENT), template.fields_of(Part.RETURN)
        self._keys = {n: indicator_key(commitment, i) for n, i in COMMITMENT_INDICATORS.items()}
        self._keys |= {n: indicator_key(return_, i) for n, i in RETURN_INDICATORS.items()}
        both = self._keys["confidence_at_commitment"] and self._keys["confidence_at_return"]
        self._keys["confidence_change"] = both or None
        self._counts: Counter[str] = Counter()
        self._completion = self._score = 0.0
        self._blockers = BlockerTally(blocker_capacity)
        cycles = (*VALUE_CYCLES, None) if self._keys["value_cycle"] else (None,)
        tells = self._keys["value_story"] or self._keys["value_cycle"]
        self._stories = StoryTally(cycles, STORIES_PER_CYCLE) if tells else None
        self._progress: dict[tuple[bool, ...], Progress] = {}
        self._rated = {name: (f"{name}.n", f"{name}.sum") for name in self._keys}
        self._chosen = {
            name: ({answer: f"{name}.{answer}" for answer in ANSWERS}, f"{name}.answered")
            for name in self._keys
        }

    def add(self, learner_id: str, state: LearnerState) -> None:
        """Count one learner's state into the report."""
        # Progress depends only on which parts are done and which have a draft
        # (koula.progress), so it is computed once per such pattern, by progress_of itself.
        deliverable, commitment, return_ = state.deliverable, state.commitment, state.return_
        pattern = (
            deliverable.done_at is None,
            deliverable.draft is None,
            commitment.done_at is None,
            commitment.draft is None,
            return_.done_at is None,
            return_.draft is None,
        )
        progress = self._progress.get(pattern)
        if progress is None:
            progress = self._progress[pattern] = progress_of(self._template, state)
        counts = self._counts
        counts["learners"] += 1
        counts[progress.activity] += 1
        self._completion += progress.completion
        self._score += progress.score
        if progress.activity == "Initialized":
            return
        counts["started"] += 1
        counts["cards"] += deliverable.done_at is not None
        if not (self._experiment and commitment.done_at is not None):
            return
        counts["commitments"] += 1
        values = commitment.values
        before = self._rating(values, "confidence_at_commitment")
        self._rating(values, "relevance")
        self._choice(values, "can_do_now")
        if return_.done_at is not None:
            self._return(learner_id, return_.values, before, return_.on_time)

    def _return(
        self, learner_id: str, values: Values, before: int | None, on_time: bool | None
    ) -> None:
        counts = self._counts
        counts["returns"] += 1
        counts["on_time"] += on_time is True
        self._choice(values, "applied")
        after = self._rating(values, "confidence_at_return")
        if before is not None and after is not None:
            counts["confidence_change.n"] += 1
            counts["confidence_change.sum"] += after - before
        items = self._answer(values, "blockers")
        if isinstance(items, list):
            self._blockers.add(item for item in items if isinstance(item, str))
        if self._stories is not None:
            story, cycle = self._answer(values, "value_story"), self._answer(values, "value_cycle")
            story = story.strip() if isinstance(story, str) else None
            self._stories.add(learner_id, cycle if isinstance(cycle, str) else None, story)

    def _answer(self, values: Values, name: str) -> Any:
        key = self._keys[name]
        return values.get(key) if key else None

    def _rating(self, values: Values, name: str) -> int | None:
        """Count a rating from 1 to 5 into the mean ``name`` and return it (None if unrated)."""
        key = self._keys[name]
        value = values.get(key) if key else None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            return None
        n, total = self._rated[name]
        self._counts[n] += 1
        self._counts[total] += value
        return value

    def _choice(self, values: Values, name: str) -> None:
        value = self._answer(values, name)
        if value in ANSWERS:
            chosen, answered = self._chosen[name]
            self._counts[chosen[value]] += 1
            self._counts[answered] += 1

    def report(self, *, roster_size: int | None = None, computed_at: dt.datetime) -> ImpactReport:
        """Return the report of the learners added so far (the accumulator stays usable)."""
        counts, keys, experiment = self._counts, self._keys, self._experiment
        learners, started = counts["learners"], counts["started"]
        population = learners if roster_size is None else max(roster_size, learners)
        commitments, returns = counts["commitments"], counts["returns"]
        funnel = {"started": started, "cards": counts["cards"]}
        if experiment:
            funnel |= {"commitments": commitments, "returns": returns}
        yes_or_partly = counts["applied.yes"] + counts["applied.partly"]
        return ImpactReport(
            template_id=self._template.id,
            computed_at=computed_at,
            learners=learners,
            roster_size=roster_size,
            started=Figure(started, population),
            not_started=None if roster_size is None else Figure(population - started, population),
            cards=Figure(counts["cards"], started),
            commitments=Figure(commitments, started) if experiment else None,
            returns=Figure(returns, commitments) if experiment else None,
            on_time=Figure(counts["on_time"], returns) if experiment else None,
            applied=self._choices("applied", returns),
            applied_rate=Figure(yes_or_partly, returns) if keys["applied"] else None,
            confidence_at_commitment=self._mean("confidence_at_commitment"),
            confidence_at_return=self._mean("confidence_at_return"),
            confidence_change=self._mean("confidence_change"),
            relevance=self._mean("relevance"),
            can_do_now=self._choices("can_do_now", counts["can_do_now.answered"]),
            blockers=self._blockers.summary(returns, TOP_BLOCKERS) if keys["blockers"] else None,
            value_stories=None if self._stories is None else self._stories.groups(returns),
            funnel=funnel,
            completion=Mean(self._completion, learners),
            score=Mean(self._score, learners),
            activity={word: counts[word] for word in ACTIVITY_PROGRESS}
            | ({} if roster_size is None else {"Initialized": population - started}),
        )

    def _mean(self, name: str) -> Mean | None:
        if self._keys[name] is None:
            return None
        return Mean(self._counts[f"{name}.sum"], self._counts[f"{name}.n"])

    def _choices(self, name: str, of: int) -> dict[str, Figure] | None:
        if self._keys[name] is None:
            return None
        return {answer: Figure(self._counts[f"{name}.{answer}"], of) for answer in ANSWERS}


def impact_report(
    template: SessionTemplate,
    learners: Iterable[tuple[str, LearnerState]],
    *,
    roster_size: int | None = None,
    computed_at: dt.datetime,
) -> ImpactReport:
    """Return the impact report of ``learners`` (each once), read in one pass."""
    accumulator = ImpactAccumulator(template)
    for learner_id, state in learners:
        accumulator.add(learner_id, state)
    return accumulator.report(roster_size=roster_size, computed_at=computed_at)
