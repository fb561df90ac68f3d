"""The series report managers read: impact over time, the same in the XBlock and the LTI tool.

:func:`render_series_report` draws the core's
:class:`~koula.use_cases.series.report.SeriesReport` as an HTML fragment: the
time invested beside what it produced, a table of the sessions (date, host,
participants, cards, commitments, returns and returns on time, applied rate,
confidence change, time invested), four trend charts (:mod:`koula_ui.charts_trend`,
each with its numbers in words), the most reused practice cards, the blockers
named across sessions and a few value stories. Tables have captions, headings
nest, the page needs no script and prints (``koula_ui/static/koula-staff.css``).
Numbers follow the reader's language, as in :mod:`koula_ui.report`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from koula import Figure, SeriesReport, SessionFigures
from koula.messages import Gettext, gettext_for, pick_language
from koula_ui.charts import NONE, ChartView, signed
from koula_ui.charts_trend import Point, line_chart
from koula_ui.environment import environment_for
from koula_ui.render import _id_prefix
from koula_ui.report import _computed
from koula_ui.report_figures import cycle_words, figure_text
from koula_ui.report_series_views import session_rows, summary_figures
from koula_ui.strings import format_date, percent

__all__ = ["render_series_report", "trend_charts"]


def render_series_report(
    report: SeriesReport,
    *,
    language: str,
    uid: str,
    title: str = "",
    csv_url: str | None = None,
) -> str:
    """Return the HTML fragment of the series report, in ``language``.

    ``title`` names the course or community; ``csv_url`` adds a "Download CSV" link (the
    series CSV); ``uid`` makes the page's ids unique.
    """
    language = pick_language(language)
    _ = gettext_for(language)
    prefix = _id_prefix(uid)
    words = cycle_words(_)
    blockers = report.blockers
    return (
        environment_for(language)
        .get_template("report_series.html")
        .render(
            lang=language,
            uid=uid,
            prefix=prefix,
            title=title,
            computed=_computed(report.computed_at, _),
            count=len(report.sessions),
            csv_url=csv_url,
            figures=summary_figures(report.totals, language, _),
            rows=session_rows(report.sessions, language, _),
            charts=trend_charts(report.sessions, prefix, language, _),
            cards=[
                {
                    "title": card.title or _("(untitled card)"),
                    "session": _session_name(card.number, card.session.title_in(language), _),
                    "author": card.author,
                    "reuses": card.reuses,
                }
                for card in report.top_cards
            ],
            blockers=blockers,
            blockers_text=figure_text(blockers.learners, _) if blockers else "",
            stories=[
                {
                    "text": story.text,
                    "who": story.name,
                    "session": _session_name(story.number, story.session.title_in(language), _),
                    "cycle": words.get(story.cycle, words[None])[0],
                }
                for story in report.stories
            ],
        )
    )


def _session_name(number: int, title: str, _: Gettext) -> str:
    return _("Session {number}: {title}").format(number=number, title=title)


def trend_charts(
    sessions: Sequence[SessionFigures], prefix: str, language: str, _: Gettext
) -> list[ChartView]:
    """Return the participants, return rate, applied rate and confidence change charts."""
    if not sessions:
        return []
    rates = [(n / 4, percent(n / 4, _)) for n in range(5)]
    changes = [f.report.confidence_change for f in sessions]
    widest = max([abs(c.mean) for c in changes if c and c.mean is not None] or [1.0])
    reach = max(1, int(-(-widest // 1)))
    most = max([f.participants for f in sessions] or [0])
    top = max(4, most + (-most % 4))
    counts = [(top * n / 4, str(round(top * n / 4))) for n in range(5)]

    def rate(figure: Figure | None) -> float | None:
        return None if figure is None else figure.rate

    specs: list[tuple[str, str, Callable[[SessionFigures], float | None], Callable[[float], str]]]
    specs = [
        ("participants", _("Participants per session"), lambda f: f.participants, str),
        ("returns", _("Return rate per session"), lambda f: rate(f.report.returns), _percent(_)),
        (
            "applied",
            _("Applied at work per session"),
            lambda f: rate(f.report.applied_rate),
            _percent(_),
        ),
        (
            "confidence",
            _("Confidence change per session"),
            lambda f: (
                None if f.report.confidence_change is None else f.report.confidence_change.mean
            ),
            lambda v: signed(v, language),
        ),
    ]
    scales = {
        "participants": (0.0, float(top), counts),
        "returns": (0.0, 1.0, rates),
        "applied": (0.0, 1.0, rates),
        "confidence": (
            float(-reach),
            float(reach),
            [(v, signed(v, language)) for v in (-reach, -reach / 2, 0, reach / 2, reach)],
        ),
    }
    charts = []
    for key, heading, value_of, text_of in specs:
        values = [value_of(f) for f in sessions]
        points = [Point(str(f.number), v) for f, v in zip(sessions, values, strict=True)]
        said = "; ".join(
            _("session {number} ({date}): {value}").format(
                number=f.number,
                date=format_date(f.session.date, _),
                value=NONE if v is None else text_of(v),
            )
            for f, v in zip(sessions, values, strict=True)
        )
        known = [v for v in values if v is not None]
        note = ""
        if len(known) >= 2:
            note = _("From the first session with a value to the latest: {first} → {last}.").format(
                first=text_of(known[0]), last=text_of(known[-1])
            )
        low, high, ticks = scales[key]
        chart_id = f"{prefix}-trend-{key}"
        svg = line_chart(
            points=points,
            low=low,
            high=high,
            ticks=ticks,
            title=heading,
            desc=_("By session, in order: {values}.").format(values=said),
            id_prefix=chart_id,
        )
        charts.append(ChartView(key, chart_id, heading, svg, note))
    return charts


def _percent(_: Gettext) -> Callable[[float], str]:
    return lambda value: percent(value, _)
