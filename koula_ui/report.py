"""The impact report managers read, rendered the same for the XBlock staff view and the LTI tool.

:func:`render_report` turns an :class:`~koula.impact.ImpactReport` into an HTML
fragment: how many learners it covers and when it was computed, the key
figures (each rate with its count: "12 of 20 — 60%"; "—" when there is none),
three charts drawn by :mod:`koula_ui.charts` (the funnel from start to return,
confidence before and after, applied yes / partly / no), blockers grouped,
value stories by value-creation cycle, a table of the learners (the first
``max_rows``, with a note when there are more) and, when the adapter passes
``detail``, one learner's card, commitment and return. The page needs no
script and prints in black and white (``static/koula-staff.css``).

Table rows are mappings with the keys of :data:`ROW_KEYS` (the CSV's column
names, plus an optional display ``name``); :func:`learner_row` builds one from
a learner's state. ``detail`` is ``{"learner_id", "name", "state"}`` where
``state`` is the contract's learner state JSON; :func:`learner_detail` builds
it. Numbers follow the reader's language: the catalog's percentage format and,
in French, the decimal comma ("3,5").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from koula.impact import ImpactReport, indicator_key
from koula.impact_figures import Figure, Mean, StoryGroup
from koula.messages import Gettext, gettext_for, pick_language
from koula.progress import learner_state_data, progress_of
from koula.state import LearnerState, format_time
from koula.template import FieldType, Part, SessionTemplate
from koula.values import is_empty
from koula_ui.charts import NONE, answer_words, decimal, report_charts, signed
from koula_ui.environment import environment_for
from koula_ui.render import _id_prefix
from koula_ui.strings import activity_words, format_date, percent

__all__ = ["MAX_ROWS", "ROW_KEYS", "learner_detail", "learner_row", "render_report"]

MAX_ROWS = 200
ROW_KEYS = (
    "learner_id",
    "name",
    "deliverable_status",
    "deliverable_submitted_at",
    "commitment_status",
    "committed_at",
    "return_due_on",
    "return_status",
    "returned_at",
    "return_on_time",
    "applied",
    "confidence_at_commitment",
    "confidence_at_return",
    "completion",
    "score",
)


def render_report(
    *,
    template: SessionTemplate,
    report: ImpactReport,
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
    """
    language = pick_language(language)
    _ = gettext_for(language)
    prefix = _id_prefix(uid)
    shown = list(learners[: max(max_rows, 0)])
    total = max(len(learners), report.learners)
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
        )
    )


def _computed(moment: dt.datetime, _: Gettext) -> Markup:
    """Return "1 December 2026 at 08:00 UTC" inside a ``<time>`` element."""
    utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    when = _("{date} at {time} UTC").format(date=format_date(utc, _), time=utc.strftime("%H:%M"))
    return Markup('<time datetime="{}">{}</time>').format(format_time(utc), when)


def learner_row(
    template: SessionTemplate, learner_id: str, state: LearnerState, *, name: str | None = None
) -> dict[str, Any]:
    """Return one row of the learners table (keys of :data:`ROW_KEYS`), values unformatted."""
    progress = progress_of(template, state)
    card, commitment, return_ = state.deliverable, state.commitment, state.return_
    asked, told = template.fields_of(Part.COMMITMENT), template.fields_of(Part.RETURN)
    experiment = Part.COMMITMENT in template.parts()

    def answer(values: Mapping[str, Any], key: str | None) -> Any:
        return values.get(key) if key else None

    return {
        "learner_id": learner_id,
        "name": name,
        "deliverable_status": card.status(Part.DELIVERABLE),
        "deliverable_submitted_at": card.done_at,
        "commitment_status": commitment.status(Part.COMMITMENT) if experiment else None,
        "committed_at": commitment.done_at,
        "return_due_on": commitment.due_on,
        "return_status": return_.status(Part.RETURN) if experiment else None,
        "returned_at": return_.done_at,
        "return_on_time": return_.on_time,
        "applied": answer(return_.values, indicator_key(told, "applied")),
        "confidence_at_commitment": answer(commitment.values, indicator_key(asked, "confidence")),
        "confidence_at_return": answer(return_.values, indicator_key(told, "confidence")),
        "completion": progress.completion,
        "score": progress.score,
    }


def learner_detail(
    template: SessionTemplate, learner_id: str, state: LearnerState, *, name: str | None = None
) -> dict[str, Any]:
    """Return the ``detail`` of :func:`render_report` for one learner."""
    return {"learner_id": learner_id, "name": name, "state": learner_state_data(template, state)}


# What the template draws, already in the reader's language ------------------------------


def figure_text(figure: Figure | None, _: Gettext) -> str:
    """Return "12 of 20 — 60%", or "—" when there is no figure or nothing to take it of."""
    if figure is None or figure.rate is None:
        return NONE
    return _("{count} of {total} — {percent}").format(
        count=figure.count, total=figure.of, percent=percent(figure.rate, _)
    )


def mean_text(mean: Mean | None, language: str, _: Gettext) -> str:
    """Return a mean rating as "3.5 / 5 (n = 4)", or "—"."""
    if mean is None or mean.mean is None:
        return NONE
    return _("{mean} / 5 (n = {n})").format(mean=decimal(mean.mean, language), n=mean.n)


def key_figures(report: ImpactReport, language: str, _: Gettext) -> list[tuple[str, str]]:
    """Return the (term, value) pairs of the key figures, in reading order."""
    figures = [(_("Learners who started"), figure_text(report.started, _))]
    if report.not_started is not None:
        figures.append((_("Not started yet (from the roster)"), figure_text(report.not_started, _)))
    figures += [
        (_("Practice cards submitted"), figure_text(report.cards, _)),
        (_("Commitment rate"), figure_text(report.commitments, _)),
        (_("Return rate"), figure_text(report.returns, _)),
        (_("Returns on time"), figure_text(report.on_time, _)),
        (_("Applied at work (yes or partly)"), figure_text(report.applied_rate, _)),
    ]
    if report.can_do_now is not None:
        words = answer_words(_)
        counts = ", ".join(f"{words[k]} {f.count}" for k, f in report.can_do_now.items())
        figures.append((_("Could act at once, without more resources"), counts))
    change = report.confidence_change
    figures += [
        (_("Confidence at commitment"), mean_text(report.confidence_at_commitment, language, _)),
        (_("Confidence at return"), mean_text(report.confidence_at_return, language, _)),
        (
            _("Confidence change (same learners)"),
            NONE
            if change is None or change.mean is None
            else _("{change} (n = {n})").format(change=signed(change.mean, language), n=change.n),
        ),
        (_("Relevance of the session"), mean_text(report.relevance, language, _)),
        (_("Mean completion"), _mean_percent(report.completion, _)),
        (_("Mean score"), _mean_percent(report.score, _)),
    ]
    return figures


def _mean_percent(mean: Mean, _: Gettext) -> str:
    return NONE if mean.mean is None else percent(mean.mean, _)


def cycle_words(_: Gettext) -> dict[str | None, tuple[str, str]]:
    """Return the name and a short explanation of each value-creation cycle (None: untagged)."""
    return {
        "immediate": (
            _("Immediate value"),
            _("It helped in the moment: participation, a useful exchange."),
        ),
        "potential": (
            _("Potential value"),
            _("Something for later: a practice card, a skill, more confidence."),
        ),
        "applied": (_("Applied value"), _("A practice actually used at work.")),
        "realised": (_("Realised value"), _("A visible effect on results or performance.")),
        "reframing": (_("Reframing value"), _("New goals, or new ways of judging success.")),
        None: (_("No cycle given"), _("Returns that did not say how far the value went.")),
    }


@dataclass(frozen=True)
class StoryView:
    cycle: str
    name: str
    explanation: str
    returns: str
    stories: int
    examples: tuple[tuple[str, str], ...]
    """(who, story) pairs."""


def story_views(
    groups: tuple[StoryGroup, ...] | None, names: Mapping[str, Any], _: Gettext
) -> list[StoryView]:
    """Return the value-story groups, with each story's teller by name when known."""
    words = cycle_words(_)
    return [
        StoryView(
            cycle=group.cycle or "none",
            name=words[group.cycle][0],
            explanation=words[group.cycle][1],
            returns=figure_text(group.returns, _),
            stories=group.stories,
            examples=tuple(
                (str(names.get(s.learner_id) or s.learner_id), s.text) for s in group.examples
            ),
        )
        for group in groups or ()
        if group.cycle in words
    ]


@dataclass(frozen=True)
class RowView:
    learner_id: str
    who: str
    href: str | None
    current: bool
    cells: dict[str, Any]


def status_words(_: Gettext) -> dict[str, str]:
    """Return the word of each part status of the contract."""
    return {
        "empty": _("Not started"),
        "draft": _("Draft"),
        "submitted": _("Submitted"),
        "committed": _("Committed"),
    }


def row_views(
    rows: Sequence[Mapping[str, Any]],
    detail: Mapping[str, Any] | None,
    url_template: str | None,
    _: Gettext,
) -> list[RowView]:
    """Return the table rows: statuses in words, numbers formatted, dates left for ``|time``."""
    statuses, answers = status_words(_), answer_words(_)
    chosen = str(detail.get("learner_id")) if detail else None
    views = []
    for row in rows:
        learner_id = str(row.get("learner_id") or "")
        before, after = row.get("confidence_at_commitment"), row.get("confidence_at_return")
        cells = {
            "card": statuses.get(str(row.get("deliverable_status")), NONE),
            "card_at": row.get("deliverable_submitted_at"),
            "commitment": statuses.get(str(row.get("commitment_status")), NONE),
            "committed_at": row.get("committed_at"),
            "due_on": row.get("return_due_on"),
            "return": statuses.get(str(row.get("return_status")), NONE),
            "returned_at": row.get("returned_at"),
            "on_time": _on_time(row.get("return_on_time"), _),
            "applied": answers.get(str(row.get("applied")), NONE),
            "confidence": _("{before} → {after}").format(
                before=NONE if before is None else before, after=NONE if after is None else after
            ),
            "completion": _fraction(row.get("completion"), _),
            "score": _fraction(row.get("score"), _),
        }
        href = url_template.format(learner_id=quote(learner_id, safe="")) if url_template else None
        who = str(row.get("name") or learner_id)
        views.append(RowView(learner_id, who, href, learner_id == chosen, cells))
    return views


def _fraction(value: object, _: Gettext) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return percent(value, _)
    try:
        return percent(float(str(value)), _) if value not in (None, "") else NONE
    except ValueError:
        return NONE


def _on_time(value: object, _: Gettext) -> str:
    """Return "on time" or "late" for a return (empty when no return was due)."""
    if value is True:
        return _("on time")
    return _("late") if value is False else ""


@dataclass(frozen=True)
class Answer:
    label: str
    kind: str
    """text, list, link, date or none."""
    text: str = ""
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartView:
    part: str
    heading: str
    status_key: str
    status: str
    at: Any
    due_on: Any
    on_time: str
    answers: tuple[Answer, ...]
    """Empty unless the part was submitted: drafts stay the learner's."""


@dataclass(frozen=True)
class DetailView:
    learner_id: str
    who: str
    parts: tuple[PartView, ...]


def detail_view(
    template: SessionTemplate, detail: Mapping[str, Any], language: str, _: Gettext
) -> DetailView:
    """Return one learner's submitted card, commitment and return, labelled by the template."""
    state = detail.get("state") or {}
    headings = {
        Part.DELIVERABLE: template.deliverable.title.get(language) or _("Practice card"),
        Part.COMMITMENT: _("Commitment"),
        Part.RETURN: _("Return"),
    }
    statuses = status_words(_)
    parts = []
    for part in template.parts():
        data = state.get(part.value) or {}
        status = str(data.get("status") or "empty")
        done = status in ("submitted", "committed")
        values = (data.get("values") or {}) if done else {}
        parts.append(
            PartView(
                part=part.value,
                heading=headings[part],
                status_key=status,
                status=statuses.get(status, status),
                at=data.get("committed_at") or data.get("submitted_at"),
                due_on=data.get("due_on"),
                on_time=_on_time(data.get("on_time"), _),
                answers=tuple(
                    _answer(f, values.get(f.key), language) for f in template.fields_of(part)
                )
                if done
                else (),
            )
        )
    learner_id = str(detail.get("learner_id") or "")
    return DetailView(learner_id, str(detail.get("name") or learner_id), tuple(parts))


def _answer(field: Any, value: Any, language: str) -> Answer:
    label = field.label.get(language)
    if is_empty(value):
        return Answer(label, "none", NONE)
    if field.type is FieldType.LIST and isinstance(value, list):
        return Answer(label, "list", items=tuple(str(item) for item in value if str(item).strip()))
    if field.type is FieldType.URL and str(value).lower().startswith(("https://", "http://")):
        return Answer(label, "link", str(value))
    if field.type is FieldType.CHOICE:
        labels = {c.value: c.label.get(language) for c in field.choices}
        return Answer(label, "text", labels.get(value, str(value)))
    if field.type is FieldType.RATING:
        return Answer(label, "text", f"{value} / 5")
    if field.type is FieldType.DATE:
        return Answer(label, "date", str(value))
    return Answer(label, "text", str(value))
