"""The pieces of the series report: one session's figures, the totals, cards and stories.

:class:`SessionFigures` wraps a session's impact report with what the series
compares across sessions; :func:`totals_of` adds them up. Time invested is the
participants (learners who started) times the session's minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from koula.community_report import CommunityReport
from koula.impact import ImpactReport
from koula.impact_figures import Figure, Mean
from koula.use_cases.series.sessions import Session

__all__ = ["SeriesCard", "SeriesStory", "SeriesTotals", "SessionFigures", "totals_of"]


@dataclass(frozen=True)
class SessionFigures:
    session: Session
    number: int
    """The session's place in the series, from 1."""
    report: ImpactReport
    community: CommunityReport

    @property
    def participants(self) -> int:
        """Learners who started (a draft or a part done)."""
        return self.report.started.count

    @property
    def minutes_invested(self) -> int:
        return self.participants * self.session.minutes

    @property
    def applied(self) -> int:
        """Returns that applied the experiment at work (yes or partly)."""
        return self.report.applied_rate.count if self.report.applied_rate else 0

    @property
    def stories(self) -> int:
        """Value stories told."""
        return sum(group.stories for group in self.report.value_stories or ())

    def to_data(self) -> dict[str, Any]:
        report = self.report
        return {
            "session": {
                "id": self.session.id,
                "number": self.number,
                "title": self.session.title,
                "date": self.session.date.isoformat(),
                "template_id": self.session.template.id,
                "minutes": self.session.minutes,
                "host": self.session.host,
            },
            "participants": self.participants,
            "cards": report.cards.count,
            "commitments": _count(report.commitments),
            "returns": _count(report.returns),
            "returns_on_time": _count(report.on_time),
            "applied_rate": report.applied_rate.to_data() if report.applied_rate else None,
            "confidence_change": _mean(report.confidence_change),
            "applied": self.applied,
            "value_stories": self.stories,
            "minutes_invested": self.minutes_invested,
            "cards_reused": self.community.cards_reused,
        }


@dataclass(frozen=True)
class SeriesTotals:
    sessions: int
    participations: int
    """Participants summed over the sessions (a learner at three sessions counts three)."""
    minutes_invested: int
    cards: int
    commitments: int
    returns: int
    on_time: int
    applied: int
    stories: int
    confidence_change: Mean
    """Over every learner who rated confidence at commitment and at return."""

    @property
    def return_rate(self) -> Figure:
        return Figure(self.returns, self.commitments)

    @property
    def applied_rate(self) -> Figure:
        return Figure(self.applied, self.returns)

    def to_data(self) -> dict[str, Any]:
        return {
            "sessions": self.sessions,
            "participations": self.participations,
            "minutes_invested": self.minutes_invested,
            "cards": self.cards,
            "commitments": self.commitments,
            "returns": self.returns,
            "returns_on_time": self.on_time,
            "applied": self.applied,
            "value_stories": self.stories,
            "return_rate": self.return_rate.to_data(),
            "applied_rate": self.applied_rate.to_data(),
            "confidence_change": self.confidence_change.to_data(),
        }


def totals_of(figures: Sequence[SessionFigures]) -> SeriesTotals:
    """Return the sums over ``figures`` (the confidence change over all learners who gave both)."""
    changes = [m for f in figures if (m := f.report.confidence_change) is not None]
    return SeriesTotals(
        sessions=len(figures),
        participations=sum(f.participants for f in figures),
        minutes_invested=sum(f.minutes_invested for f in figures),
        cards=sum(f.report.cards.count for f in figures),
        commitments=sum(_count(f.report.commitments) for f in figures),
        returns=sum(_count(f.report.returns) for f in figures),
        on_time=sum(_count(f.report.on_time) for f in figures),
        applied=sum(f.applied for f in figures),
        stories=sum(f.stories for f in figures),
        confidence_change=Mean(sum(m.total for m in changes), sum(m.n for m in changes)),
    )


@dataclass(frozen=True)
class SeriesCard:
    session: Session
    number: int
    title: str
    author: str
    reuses: int


@dataclass(frozen=True)
class SeriesStory:
    session: Session
    number: int
    name: str
    text: str
    cycle: str | None


def _count(figure: Figure | None) -> int:
    return figure.count if figure else 0


def _mean(mean: Mean | None) -> dict[str, Any] | None:
    return mean.to_data() if mean else None
