"""The community's figures for the impact report: cards shared, and their reuse.

:class:`CommunityTally` reads each learner once (alongside
:class:`koula.impact.ImpactAccumulator`) and keeps only the shared cards and
the learners' reuse marks, so memory grows with what is shared, not with the
cohort. A mark counts as reuse when it is on a card shared now, by anyone but
its author.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from koula.community import card_title, public_id
from koula.state import LearnerState
from koula.template import SessionTemplate

__all__ = ["TOP_CARDS", "CommunityReport", "CommunityTally", "ReusedCard"]

TOP_CARDS = 5


@dataclass(frozen=True)
class ReusedCard:
    title: str
    author: str
    reuses: int


@dataclass(frozen=True)
class CommunityReport:
    cards: int
    """Practice cards submitted."""
    shared: int
    """Of which shared with the community now."""
    reuses: int
    """"I will use this" marks on shared cards, by other learners."""
    cards_reused: int
    """Shared cards that at least one other learner will use."""
    reusers: int
    """Learners who will use at least one card of another."""
    top: tuple[ReusedCard, ...]
    """The most reused cards, most first (at most :data:`TOP_CARDS`)."""


class CommunityTally:
    def __init__(self, template: SessionTemplate, scope: str) -> None:
        self.template = template
        self.scope = scope
        self.cards = 0
        self.shared: dict[str, tuple[str, str]] = {}
        """Card id: (title, author)."""
        self.marks: list[tuple[str, tuple[str, ...]]] = []
        """(the marking learner's card id, the cards they marked), for learners with marks."""

    def add(self, learner_id: str, name: str | None, state: LearnerState) -> None:
        # The public id is a hash: made only for the learners who share or mark a card.
        if state.deliverable.done:
            self.cards += 1
            if state.shared_at is not None:
                self.shared[public_id(self.scope, learner_id)] = (
                    card_title(self.template, state.deliverable.values),
                    name or "",
                )
        if state.will_use:
            self.marks.append((public_id(self.scope, learner_id), state.will_use))

    def report(self) -> CommunityReport:
        counts: Counter[str] = Counter()
        reusers = 0
        for own, marked in self.marks:
            valid = {mark for mark in marked if mark in self.shared and mark != own}
            counts.update(valid)
            reusers += bool(valid)
        top = tuple(
            ReusedCard(*self.shared[card], reuses=n)
            for card, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_CARDS]
        )
        return CommunityReport(
            cards=self.cards,
            shared=len(self.shared),
            reuses=sum(counts.values()),
            cards_reused=len(counts),
            reusers=reusers,
            top=top,
        )
