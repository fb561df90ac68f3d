"""The learners' part of the impact report: the table's rows and one learner's drill-down.

Rows are mappings with the keys of :data:`ROW_KEYS` (the CSV's column names,
plus an optional display ``name``); the core's :func:`learner_row` builds one
from a learner's state (both re-exported from :mod:`koula.use_cases.gathering`).
A drill-down is ``{"learner_id", "name", "state"}`` where ``state`` is the
contract's learner state JSON; :func:`learner_detail` builds it. Only
submitted answers are shown, never a draft's text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from koula import (
    ROW_KEYS,
    FieldType,
    LearnerState,
    Part,
    SessionTemplate,
    is_empty,
    learner_row,
    learner_state_data,
)
from koula.messages import Gettext
from koula_ui.charts import NONE, answer_words
from koula_ui.strings import percent

__all__ = ["ROW_KEYS", "detail_view", "learner_detail", "learner_row", "row_views"]


def learner_detail(
    template: SessionTemplate, learner_id: str, state: LearnerState, *, name: str | None = None
) -> dict[str, Any]:
    """Return the ``detail`` of :func:`render_report` for one learner."""
    return {"learner_id": learner_id, "name": name, "state": learner_state_data(template, state)}


# What the template draws, already in the reader's language ------------------------------


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
