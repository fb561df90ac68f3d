"""The series report managers read: each session's figures, and what the series produced.

:func:`series_report` reads each session's members once, in session order,
with :class:`koula.impact.ImpactAccumulator` and
:class:`koula.community_report.CommunityTally`, and keeps only counters and
bounded tallies, so memory does not grow with the learners. Per session
(:class:`SessionFigures`): the impact report (participants are the learners
who started; cards, commitments, returns and returns on time, the applied rate,
the confidence change) and the community's cards; across the series
(:class:`SeriesReport`): the most reused practice cards (the top of each
session's, so exact), the blockers named in any session (one
:class:`~koula.impact_figures.BlockerTally`), a few value stories (the latest
sessions first, farthest value cycle first), and the time invested
(participants × the session's minutes) beside what it produced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from koula.community_report import TOP_CARDS, CommunityReport, CommunityTally
from koula.impact import TOP_BLOCKERS, ImpactAccumulator, ImpactReport, indicator_key
from koula.impact_figures import VALUE_CYCLES, Blockers, BlockerTally
from koula.state import format_time
from koula.template import Part
from koula.use_cases.port import Member
from koula.use_cases.series.port import SeriesStore
from koula.use_cases.series.report_parts import (
    SeriesCard,
    SeriesStory,
    SeriesTotals,
    SessionFigures,
    totals_of,
)
from koula.use_cases.series.sessions import Session, in_order

__all__ = ["SeriesReport", "series_report", "session_figures"]

BLOCKER_CAPACITY = 5_000
STORIES_SHOWN = 5
STORY_NAMES = (len(VALUE_CYCLES) + 1) * 5
"""The first story tellers of a session whose names are kept: every example the report keeps
(5 per cycle, :data:`koula.impact.STORIES_PER_CYCLE`) is among them."""


@dataclass(frozen=True)
class SeriesReport:
    computed_at: dt.datetime
    sessions: tuple[SessionFigures, ...]
    """In session order."""
    totals: SeriesTotals
    top_cards: tuple[SeriesCard, ...]
    """The most reused practice cards of the series, most first."""
    blockers: Blockers | None
    """Blockers named in any session, of all returns (None when no template asks)."""
    stories: tuple[SeriesStory, ...]

    def to_data(self) -> dict[str, Any]:
        """Return the report as JSON: sessions, totals, cards, blockers and stories."""
        return {
            "computed_at": format_time(self.computed_at),
            "sessions": [found.to_data() for found in self.sessions],
            "totals": self.totals.to_data(),
            "top_cards": [
                {"session": c.number, "title": c.title, "author": c.author, "reuses": c.reuses}
                for c in self.top_cards
            ],
            "blockers": self.blockers.to_data() if self.blockers else None,
            "stories": [
                {"session": s.number, "name": s.name, "text": s.text, "cycle": s.cycle}
                for s in self.stories
            ],
        }


def series_report(store: SeriesStore) -> SeriesReport:
    """Return the series report of every session of ``store``, computed now."""
    computed_at = store.now()
    blockers = BlockerTally(BLOCKER_CAPACITY)
    figures, asks_blockers = [], False
    names: dict[tuple[int, str], str] = {}
    for number, session in enumerate(in_order(store.sessions()), start=1):
        found, kept = session_figures(
            session, number, store.members(session.id), computed_at=computed_at, blockers=blockers
        )
        figures.append(found)
        names |= {(number, learner_id): name for learner_id, name in kept.items()}
        asks_blockers |= found.report.blockers is not None
    totals = totals_of(figures)
    return SeriesReport(
        computed_at=computed_at,
        sessions=tuple(figures),
        totals=totals,
        top_cards=_top_cards(figures),
        blockers=blockers.summary(totals.returns, TOP_BLOCKERS) if asks_blockers else None,
        stories=_stories(figures, names),
    )


def session_figures(
    session: Session,
    number: int,
    members: Iterable[Member],
    *,
    computed_at: dt.datetime,
    blockers: BlockerTally | None = None,
) -> tuple[SessionFigures, dict[str, str]]:
    """Return one session's figures from its members (read once), and the names of its first
    story tellers; each return's blockers are also counted into ``blockers``."""
    template = session.template
    accumulator = ImpactAccumulator(template)
    community = CommunityTally(template, session.card_scope)
    told = template.fields_of(Part.RETURN)
    blocker_key, story_key = indicator_key(told, "blockers"), indicator_key(told, "value_story")
    tellers: dict[str, str] = {}
    for learner_id, name, state in members:
        accumulator.add(learner_id, state)
        community.add(learner_id, name, state)
        if state.return_.done_at is None or state.commitment.done_at is None:
            continue
        values = state.return_.values
        items = values.get(blocker_key) if blocker_key else None
        if blockers is not None and isinstance(items, list):
            blockers.add(item for item in items if isinstance(item, str))
        story = values.get(story_key) if story_key else None
        if isinstance(story, str) and story.strip() and len(tellers) < STORY_NAMES:
            tellers[learner_id] = name or learner_id
    report: ImpactReport = accumulator.report(computed_at=computed_at)
    community_report: CommunityReport = community.report()
    return SessionFigures(session, number, report, community_report), tellers


def _top_cards(figures: list[SessionFigures]) -> tuple[SeriesCard, ...]:
    cards = [
        SeriesCard(found.session, found.number, card.title, card.author, card.reuses)
        for found in figures
        for card in found.community.top
    ]
    cards.sort(key=lambda card: (-card.reuses, card.number, card.title))
    return tuple(cards[:TOP_CARDS])


def _stories(
    figures: list[SessionFigures], names: dict[tuple[int, str], str]
) -> tuple[SeriesStory, ...]:
    farthest_first = {cycle: rank for rank, cycle in enumerate((*reversed(VALUE_CYCLES), None))}
    stories: list[SeriesStory] = []
    for found in reversed(figures):
        groups = sorted(found.report.value_stories or (), key=lambda g: farthest_first[g.cycle])
        for group in groups:
            for story in group.examples:
                who = names.get((found.number, story.learner_id), story.learner_id)
                stories.append(
                    SeriesStory(found.session, found.number, who, story.text, group.cycle)
                )
                if len(stories) == STORIES_SHOWN:
                    return tuple(stories)
    return tuple(stories)
