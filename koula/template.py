"""The session template: the replicable structure of a Koula session.

Plain frozen dataclasses, built by :mod:`koula.template_format` from a file and
read by every other part of the product. A template holds the agenda
(phases), the roles, the deliverable schema (the practice card), the
experiment schema (fields at commitment, fields at return, return window) and
the scoring policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from koula.text import LocalizedText

__all__ = [
    "INDICATORS",
    "Choice",
    "DeliverableSchema",
    "ExperimentSchema",
    "Field",
    "FieldType",
    "Mode",
    "Part",
    "Phase",
    "Role",
    "ScoringPolicy",
    "SessionTemplate",
    "part_attribute",
]


INDICATORS = frozenset(
    {
        # at the session (commitment)
        "action",
        "context",
        "by_date",
        "success_signal",
        "confidence",
        "relevance",
        "can_do_now",
        # at the return
        "applied",
        "what_happened",
        "why_difference",
        "evidence",
        "learning",
        "blockers",
        "next_step",
        "value_story",
        "value_cycle",
    }
)
"""The impact indicators a field may feed (see the README's template reference)."""


class FieldType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    LIST = "list"
    URL = "url"
    CHOICE = "choice"
    RATING = "rating"
    DATE = "date"


class Mode(StrEnum):
    SOLO = "solo"
    PAIRS = "pairs"
    TRIOS = "trios"
    GROUPS = "groups"
    PLENARY = "plenary"


class Part(StrEnum):
    """The three parts a learner fills in, in loop order."""

    DELIVERABLE = "deliverable"
    COMMITMENT = "commitment"
    RETURN = "return"


_PART_ATTRIBUTES = {
    Part.DELIVERABLE: "deliverable",
    Part.COMMITMENT: "commitment",
    Part.RETURN: "return_",
}


def part_attribute(part: Part) -> str:
    """The attribute holding ``part`` (or a part's name as text) in a learner's state and in
    a scoring policy; ValueError for anything else."""
    try:
        return _PART_ATTRIBUTES[part]
    except (KeyError, TypeError):
        raise ValueError(f"{part!r} is not a part") from None


@dataclass(frozen=True)
class Choice:
    value: str
    label: LocalizedText


@dataclass(frozen=True)
class Field:
    """One question of a form. ``max_length`` counts characters (per item for lists)."""

    key: str
    label: LocalizedText
    type: FieldType
    required: bool = False
    help: LocalizedText = field(default_factory=LocalizedText)
    placeholder: LocalizedText = field(default_factory=LocalizedText)
    max_length: int | None = None
    max_items: int | None = None
    choices: tuple[Choice, ...] = ()
    indicator: str | None = None
    """What impact indicator this answer feeds (``confidence``, ``applied``, ``blockers``...)."""

    def choice_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)


@dataclass(frozen=True)
class Phase:
    key: str
    title: LocalizedText
    minutes: int
    mode: Mode
    prompt: LocalizedText = field(default_factory=LocalizedText)
    host_notes: LocalizedText = field(default_factory=LocalizedText)


@dataclass(frozen=True)
class Role:
    key: str
    title: LocalizedText
    description: LocalizedText = field(default_factory=LocalizedText)
    rotates: bool = True


@dataclass(frozen=True)
class DeliverableSchema:
    title: LocalizedText
    fields: tuple[Field, ...]
    intro: LocalizedText = field(default_factory=LocalizedText)
    group: bool = False
    """True when one card is written by a group rather than by each participant."""


@dataclass(frozen=True)
class ExperimentSchema:
    commitment_fields: tuple[Field, ...]
    return_fields: tuple[Field, ...]
    return_window_days: int
    intro: LocalizedText = field(default_factory=LocalizedText)
    return_intro: LocalizedText = field(default_factory=LocalizedText)


@dataclass(frozen=True)
class ScoringPolicy:
    """Weights of the parts in the score; they need not add up to 1."""

    deliverable: float = 1.0
    commitment: float = 1.0
    return_: float = 1.0

    def weight(self, part: Part) -> float:
        weight: float = getattr(self, part_attribute(part))
        return weight


@dataclass(frozen=True)
class SessionTemplate:
    id: str
    title: LocalizedText
    summary: LocalizedText
    languages: tuple[str, ...]
    phases: tuple[Phase, ...]
    roles: tuple[Role, ...]
    deliverable: DeliverableSchema
    experiment: ExperimentSchema | None
    scoring: ScoringPolicy
    format_version: int = 1

    def parts(self) -> tuple[Part, ...]:
        """Return the parts a learner fills in for this template, in loop order."""
        if self.experiment is None:
            return (Part.DELIVERABLE,)
        return (Part.DELIVERABLE, Part.COMMITMENT, Part.RETURN)

    def fields_of(self, part: Part) -> tuple[Field, ...]:
        """Return the form fields of ``part`` (empty when the template lacks that part)."""
        if part is Part.DELIVERABLE:
            return self.deliverable.fields
        if self.experiment is None:
            return ()
        if part is Part.COMMITMENT:
            return self.experiment.commitment_fields
        return self.experiment.return_fields

    def total_minutes(self) -> int:
        return sum(phase.minutes for phase in self.phases)
