"""The impact report managers read, rendered the same for the XBlock staff view and the LTI tool.

:func:`render_report` turns an :class:`~koula.impact.ImpactReport` into an HTML
fragment: how many learners it covers and when it was computed, the key
figures (each rate with its count: "12 of 20 — 60%"; "—" when there is none),
three charts drawn by :mod:`koula_ui.charts` (the funnel from start to return,
confidence before and after, applied yes / partly / no), blockers grouped,
value stories by value-creation cycle, a table of the learners (the first
``max_rows``, with a note when there are more) and, when the adapter passes
``detail``, one learner's card, commitment and return. The page needs no
script and prints in black and white (``koula_ui/static/koula-staff.css``).

What is drawn comes from the core (:mod:`koula.use_cases.gathering`, whose
``gather``, ``Gathered`` and ``MAX_ROWS`` are re-exported here); rows and the
drill-down are drawn by :mod:`koula_ui.report_learners`, the figures' wording
comes from :mod:`koula_ui.report_figures`. Numbers follow the
reader's language: the catalog's percentage format and, in French, the decimal
comma ("3,5").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from koula import (
    MAX_ROWS,
    CommunityReport,
    Gathered,
    ImpactReport,
    Part,
    Rotation,
    SessionTemplate,
    format_time,
    gather,
)
from koula.messages import Gettext, gettext_for, pick_language
from koula_ui.charts import report_charts
from koula_ui.environment import environment_for
from koula_ui.render import _id_prefix
from koula_ui.report_community import community_view, rotation_view
from koula_ui.report_figures import figure_text, key_figures, story_views
from koula_ui.report_learners import ROW_KEYS, detail_view, learner_detail, learner_row, row_views
from koula_ui.strings import activity_words, format_date

__all__ = [
    "MAX_ROWS",
    "ROW_KEYS",
    "Gathered",
    "gather",
    "learner_detail",
    "learner_row",
    "render_detail",
    "render_gathered",
    "render_report",
]


def render_report(
    *,
    template: SessionTemplate,
    report: ImpactReport,
    community: CommunityReport | None = None,
    rotation: Rotation | None = None,
    learners: Sequence[Mapping[str, Any]],
    language: str,
    uid: str,
    csv_url: str | None,
    detail: Mapping[str, Any] | None = None,
    detail_url_template: str | None = None,
    max_rows: int = MAX_ROWS,
) -> str:
    """Return the HTML fragment of the impact report, in ``language``.

    ``learners`` are the table rows (see :data:`ROW_KEYS`); only the first ``max_rows``
    are drawn. Each row links to ``detail_url_template.format(learner_id=...)`` (the id
    URL-encoded) when given; ``detail`` draws one learner's answers below the table;
    ``csv_url`` adds a "Download CSV" link. ``uid`` makes the page's ids unique.
    ``community`` and ``rotation`` (gathered by the core) add the card library's
    figures and the host rotation.
    """
    language = pick_language(language)
    _ = gettext_for(language)
    prefix = _id_prefix(uid)
    shown = list(learners[: max(max_rows, 0)])
    # With a roster, the table lists its learners who have not started too.
    total = max(len(learners), report.learners, report.started.of)
    names = {str(row.get("learner_id")): row.get("name") for row in learners if row.get("name")}
    words = activity_words(_)
    return (
        environment_for(language)
        .get_template("report.html")
        .render(
            lang=language,
            uid=uid,
            prefix=prefix,
            title=template.title.get(language),
            report=report,
            computed=_computed(report.computed_at, _),
            figures=key_figures(report, language, _),
            charts=report_charts(report, prefix, language, _),
            blockers=report.blockers,
            blockers_text=figure_text(report.blockers.learners, _) if report.blockers else "",
            stories=story_views(report.value_stories, names, _),
            activity=[(words.get(key, key), count) for key, count in report.activity.items()],
            rows=row_views(shown, detail, detail_url_template, _),
            linked=bool(detail_url_template),
            experiment=Part.COMMITMENT in template.parts(),
            card_title=template.deliverable.title.get(language) or _("Practice card"),
            shown=len(shown),
            total=total,
            csv_url=csv_url,
            detail=detail_view(template, detail, language, _) if detail else None,
            community=community_view(community, _) if community else None,
            rotation=rotation_view(rotation, _) if rotation else None,
        )
    )


def render_gathered(
    found: Gathered,
    *,
    template: SessionTemplate,
    language: str,
    uid: str,
    csv_url: str | None,
    detail_url_template: str | None,
    detail: Mapping[str, Any] | None = None,
) -> str:
    """Return the report of what the core gathered: figures, community, rotation, rows."""
    return render_report(
        template=template,
        report=found.report,
        community=found.community,
        rotation=found.rotation,
        learners=found.rows,
        language=language,
        uid=uid,
        csv_url=csv_url,
        detail_url_template=detail_url_template,
        detail=detail,
    )


def render_detail(
    *, template: SessionTemplate, detail: Mapping[str, Any], language: str, uid: str
) -> str:
    """Return one learner's answers alone, as :func:`render_report` draws them below the
    table of the report with the same ``uid`` (a page's script puts it there)."""
    language = pick_language(language)
    _ = gettext_for(language)
    return (
        environment_for(language)
        .get_template("report_detail.html")
        .render(prefix=_id_prefix(uid), detail=detail_view(template, detail, language, _))
    )


def _computed(moment: dt.datetime, _: Gettext) -> Markup:
    """Return "1 December 2026 at 08:00 UTC" inside a ``<time>`` element."""
    utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    when = _("{date} at {time} UTC").format(date=format_date(utc, _), time=utc.strftime("%H:%M"))
    return Markup('<time datetime="{}">{}</time>').format(format_time(utc), when)
