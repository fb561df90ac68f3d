"""The pieces the impact report is made of: figures that carry their denominator, and tallies.

A :class:`Figure` is a count, the count it is taken ``of`` and the rate between
them (None when ``of`` is 0); a :class:`Mean` is a mean with the number of
answers behind it. Rates and means are rounded to 4 decimals. The tallies keep
bounded memory whatever the number of learners: :class:`BlockerTally` groups
free-text blockers (case-folded, trimmed, inner whitespace collapsed, trailing
punctuation removed) with the Misra-Gries summary: counts are exact while no
more than ``capacity`` distinct groups were seen, and otherwise low by at most
``max_undercount`` (at most mentions / (capacity + 1));
:class:`StoryTally` counts returns per value cycle and keeps the first
``keep`` stories of each cycle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "VALUE_CYCLES",
    "BlockerGroup",
    "BlockerTally",
    "Blockers",
    "Figure",
    "Mean",
    "Story",
    "StoryGroup",
    "StoryTally",
    "normalise_blocker",
    "ratio",
]

VALUE_CYCLES = ("immediate", "potential", "applied", "realised", "reframing")
TRAILING = " .,;:!?…"


def ratio(count: float, of: float) -> float | None:
    """Return ``count / of`` rounded to 4 decimals, or None when ``of`` is 0."""
    return round(count / of, 4) if of else None


@dataclass(frozen=True)
class Figure:
    count: int
    of: int

    @property
    def rate(self) -> float | None:
        return ratio(self.count, self.of)

    def to_data(self) -> dict[str, Any]:
        return {"count": self.count, "of": self.of, "rate": self.rate}


@dataclass(frozen=True)
class Mean:
    total: float
    n: int

    @property
    def mean(self) -> float | None:
        return ratio(self.total, self.n)

    def to_data(self) -> dict[str, Any]:
        return {"mean": self.mean, "n": self.n}


def normalise_blocker(text: str) -> str:
    """Return the group key of a blocker: ``" Time! "`` and ``"time"`` share ``"time"``."""
    return " ".join(text.casefold().split()).rstrip(TRAILING)


@dataclass(frozen=True)
class BlockerGroup:
    text: str
    count: int
    example: str
    """The first original wording seen for this group."""

    def to_data(self) -> dict[str, Any]:
        return {"text": self.text, "count": self.count, "example": self.example}


@dataclass(frozen=True)
class Blockers:
    learners: Figure
    """Returns naming at least one blocker, of all returns."""
    mentions: int
    groups: tuple[BlockerGroup, ...]
    max_undercount: int
    """How much a group's count may be below the truth: 0 (exact) unless more distinct
    groups came than the tally keeps."""

    @property
    def exact(self) -> bool:
        return self.max_undercount == 0

    def to_data(self) -> dict[str, Any]:
        return {
            "learners": self.learners.to_data(),
            "mentions": self.mentions,
            "groups": [group.to_data() for group in self.groups],
            "exact": self.exact,
            "max_undercount": self.max_undercount,
        }


@dataclass
class _Tracked:
    count: int
    example: str


class BlockerTally:
    """Counts blocker groups in at most ``capacity`` entries (Misra-Gries)."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._groups: dict[str, _Tracked] = {}
        self._learners = 0
        self._mentions = 0
        self._lowered = 0

    def add(self, items: Iterable[str]) -> None:
        """Count one return's blockers (an empty or blank list counts nothing)."""
        named = False
        for text in items:
            key = normalise_blocker(text)
            if key:
                named = True
                self._count(key, text)
        self._learners += named

    def _count(self, key: str, text: str) -> None:
        self._mentions += 1
        tracked = self._groups.get(key)
        if tracked is not None:
            tracked.count += 1
        elif len(self._groups) < self._capacity:
            self._groups[key] = _Tracked(1, text.strip())
        else:  # full: lower every count by one, which pays for this mention (amortised O(1))
            self._lowered += 1
            lowered = ((k, _Tracked(t.count - 1, t.example)) for k, t in self._groups.items())
            self._groups = {k: t for k, t in lowered if t.count}

    def summary(self, returns: int, top: int) -> Blockers:
        """Return the ``top`` largest groups (ties in the order first seen) and the totals."""
        ranked = sorted(self._groups.items(), key=lambda item: -item[1].count)[:top]
        groups = tuple(BlockerGroup(key, t.count, t.example) for key, t in ranked)
        return Blockers(Figure(self._learners, returns), self._mentions, groups, self._lowered)


@dataclass(frozen=True)
class Story:
    learner_id: str
    text: str

    def to_data(self) -> dict[str, Any]:
        return {"learner_id": self.learner_id, "text": self.text}


@dataclass(frozen=True)
class StoryGroup:
    cycle: str | None
    """A value of :data:`VALUE_CYCLES`, or None for returns without one."""
    returns: Figure
    stories: int
    examples: tuple[Story, ...]

    def to_data(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "returns": self.returns.to_data(),
            "stories": self.stories,
            "examples": [story.to_data() for story in self.examples],
        }


@dataclass
class StoryTally:
    """Returns per value cycle (None: untagged), stories told, and the first ``keep`` stories."""

    cycles: tuple[str | None, ...]
    keep: int
    returns: dict[str | None, int] = field(default_factory=dict)
    stories: dict[str | None, int] = field(default_factory=dict)
    examples: dict[str | None, list[Story]] = field(default_factory=dict)

    def add(self, learner_id: str, cycle: str | None, story: str | None) -> None:
        cycle = cycle if cycle in self.cycles else None
        self.returns[cycle] = self.returns.get(cycle, 0) + 1
        if story:
            self.stories[cycle] = self.stories.get(cycle, 0) + 1
            kept = self.examples.setdefault(cycle, [])
            if len(kept) < self.keep:
                kept.append(Story(learner_id, story))

    def groups(self, returns: int) -> tuple[StoryGroup, ...]:
        return tuple(
            StoryGroup(
                cycle,
                Figure(self.returns.get(cycle, 0), returns),
                self.stories.get(cycle, 0),
                tuple(self.examples.get(cycle, ())),
            )
            for cycle in self.cycles
        )
