"""The series report's figures and session table as text, in the reader's language.

:func:`summary_figures` says what the time invested produced;
:func:`session_rows` gives one row per session for ``report_series.html``.
Hours are the minutes over 60 with one decimal (a decimal comma in French).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from koula import Figure, Mean, SeriesTotals, SessionFigures
from koula.messages import Gettext
from koula_ui.charts import NONE, decimal, signed
from koula_ui.report_figures import figure_text
from koula_ui.strings import percent

__all__ = ["SessionRow", "hours", "session_rows", "summary_figures"]


def hours(minutes: int, language: str, _: Gettext) -> str:
    """Return a number of minutes as hours: "1.5 h"."""
    return _("{hours} h").format(hours=decimal(minutes / 60, language))


def _change(mean: Mean | None, language: str, _: Gettext) -> str:
    if mean is None or mean.mean is None:
        return NONE
    return _("{change} (n = {n})").format(change=signed(mean.mean, language), n=mean.n)


def summary_figures(totals: SeriesTotals, language: str, _: Gettext) -> list[tuple[str, str]]:
    """Return the (term, value) pairs of the time invested and what it produced."""
    per_applied = (
        hours(round(totals.minutes_invested / totals.applied), language, _)
        if totals.applied
        else NONE
    )
    return [
        (_("Sessions"), str(totals.sessions)),
        (
            _("Time invested (participants × session length)"),
            _("{hours} ({count} participations)").format(
                hours=hours(totals.minutes_invested, language, _), count=totals.participations
            ),
        ),
        (_("Practice cards written"), str(totals.cards)),
        (_("Experiments committed to"), str(totals.commitments)),
        (_("Return rate"), figure_text(totals.return_rate, _)),
        (_("Returns on time"), figure_text(Figure(totals.on_time, totals.returns), _)),
        (_("Applied at work (yes or partly)"), figure_text(totals.applied_rate, _)),
        (_("Value stories told"), str(totals.stories)),
        (_("Confidence change (same learners)"), _change(totals.confidence_change, language, _)),
        (_("Time invested per experiment applied"), per_applied),
    ]


@dataclass(frozen=True)
class SessionRow:
    number: int
    title: str
    date: str
    """YYYY-MM-DD, drawn by the ``time`` filter."""
    host: str
    participants: int
    cards: int
    commitments: str
    returns: str
    on_time: str
    applied_rate: str
    confidence_change: str
    invested: str


def session_rows(sessions: Sequence[SessionFigures], language: str, _: Gettext) -> list[SessionRow]:
    """Return one row per session, in session order."""
    rows = []
    for found in sessions:
        report = found.report
        experiment = report.commitments is not None
        applied = report.applied_rate
        rows.append(
            SessionRow(
                number=found.number,
                title=found.session.title_in(language),
                date=found.session.date.isoformat(),
                host=found.session.host or NONE,
                participants=found.participants,
                cards=report.cards.count,
                commitments=str(report.commitments.count) if report.commitments else NONE,
                returns=figure_text(report.returns, _) if experiment else NONE,
                on_time=str(report.on_time.count) if report.on_time else NONE,
                applied_rate=NONE
                if applied is None or applied.rate is None
                else percent(applied.rate, _),
                confidence_change=_change(report.confidence_change, language, _),
                invested=hours(found.minutes_invested, language, _),
            )
        )
    return rows
