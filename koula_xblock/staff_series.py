"""What course staff see of the course's series: the sessions under the activity, the report page.

:func:`series_html` draws, under the staff view, the course's Koula sessions in
order (number, title, date, template, host, participants, practice cards,
commitments, returns; this block marked) with links to the series report and
the series CSV. :func:`series_page` wraps the shared UI's series report
(:func:`koula_ui.report_series.render_series_report`: trends, time invested, cards,
blockers, stories) as a whole, printable page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape

from koula import SeriesReport, SessionFigures
from koula.messages import translate
from koula_ui.assets import asset_text
from koula_ui.environment import environment_for
from koula_ui.report_series import render_series_report

__all__ = ["SeriesLinks", "series_html", "series_page"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class SeriesLinks:
    """The block's handler URLs of the series report and its CSV."""

    report: str
    csv: str


def series_html(
    report: SeriesReport, *, current: str, language: str, uid: str, links: SeriesLinks
) -> str:
    """Return the staff view's table of the course's sessions (``report``'s), ``current``
    marked."""
    rows = [_row(found, current, language) for found in report.sessions]
    env = environment_for(language, extra_dirs=(TEMPLATES,))
    return env.get_template("staff_series.html").render(
        lang=language, uid=uid, rows=rows, links=links
    )


def _row(found: SessionFigures, current: str, language: str) -> dict[str, Any]:
    session, report = found.session, found.report
    return {
        "number": found.number,
        "title": session.title_in(language),
        "date": session.date.isoformat(),
        "dated": session.session_date is not None,
        "template": session.template.title.get(language),
        "host": session.host,
        "participants": found.participants,
        "cards": report.cards.count,
        "commitments": report.commitments.count if report.commitments else None,
        "returns": report.returns.count if report.returns else None,
        "current": session.id == current,
    }


def series_page(report: SeriesReport, *, language: str, csv_url: str) -> str:
    """Return the series report as a whole page (printable)."""
    body = render_series_report(report, language=language, uid="page-series", csv_url=csv_url)
    title = escape(translate(language, "Impact over time"))
    style = asset_text("koula-staff.css")
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{style}</style></head><body>{body}</body></html>"
    )
