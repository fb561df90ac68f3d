r"""The per-learner CSV export: one row per learner, streamed, safe to open in a spreadsheet.

The columns are :data:`CSV_COLUMNS`, whose names never change, then one per
field of the template in template order, ``deliverable.<key>``,
``commitment.<key>`` and ``return.<key>``, holding the submitted answers
(drafts are not exported), then :data:`LAST_COLUMNS` (``name``):

* ``learner_id``;
* ``deliverable_status`` (empty, draft, submitted), ``deliverable_submitted_at``;
* ``commitment_status`` (empty, draft, committed), ``committed_at``, ``return_due_on``;
* ``return_status`` (empty, draft, submitted), ``returned_at``, ``return_on_time``
  (yes, no, or empty when no return was due);
* ``applied`` (yes, partly, no), ``confidence_at_commitment``, ``confidence_at_return``
  (1 to 5), read from the fields that feed these indicators;
* ``completion``, ``score`` (0 to 1) and ``activity_progress`` (Initialized,
  Started, InProgress, Submitted, Completed), as :mod:`koula.progress` derives them;
* ``card_shared`` (yes/no: the practice card is shared with the community) and
  ``cards_will_use`` (how many shared cards the learner marked "I will use this");
* last, after the answers, ``name``: the learner's name when the platform gave one, else
  empty (added at the very end, so every column before it keeps its place).

:func:`stream_members_csv` also writes a row for each learner of the course's roster
(when the adapter read one) who has not started: statuses ``empty``, progress
``Initialized``, answers empty, as for a learner who opened the activity and did nothing.

Commitment and return columns are empty for a template without an experiment.
Lists are joined with ``" | "``, booleans written yes/no, times in ISO 8601 UTC
ending in ``Z``, dates as YYYY-MM-DD; a missing value is an empty cell.

:func:`stream_csv` yields the UTF-8 byte order mark first (so that Excel reads
UTF-8), then the header line, then one line per learner, with ``\r\n`` line
ends; it holds one row at a time, whatever the number of learners (with a roster, also
the ids of the learners written, to know who on the roster has not started). Against CSV
formula injection, a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return (or a full-width ``=``, ``+``, ``-``, ``@``) gets a leading
apostrophe, so that a spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from koula.impact import indicator_key
from koula.progress import progress_of
from koula.state import LearnerState, format_time
from koula.template import Part, SessionTemplate
from koula.values import Values

__all__ = [
    "BOM",
    "CSV_COLUMNS",
    "LAST_COLUMNS",
    "LEARNER_COLUMNS",
    "csv_cell",
    "csv_header",
    "csv_lines",
    "csv_row",
    "learner_cells",
    "stream_csv",
    "stream_members_csv",
]

BOM = "\ufeff"
LEARNER_COLUMNS = (
    "learner_id",
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
    "activity_progress",
    "card_shared",
    "cards_will_use",
)
"""The columns read from a learner's state (the series CSV repeats them)."""
CSV_COLUMNS = LEARNER_COLUMNS
"""The activity CSV's stable columns before the answers' (their names and places never change)."""
LAST_COLUMNS = ("name",)
"""The activity CSV's columns after the answers': a new column only ever goes at the end."""
LIST_SEPARATOR = " | "
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


@dataclass(frozen=True)
class _Plan:
    """What a row needs from the template, worked out once per export."""

    experiment: bool
    named: bool
    """Whether the row ends, after the answers, with the learner's ``name``."""
    applied: str | None
    confidence_at_commitment: str | None
    confidence_at_return: str | None
    fields: tuple[tuple[Part, tuple[str, ...]], ...]
    """The field keys of each part, in template order."""

    @classmethod
    def of(cls, template: SessionTemplate) -> _Plan:
        commitment, return_ = template.fields_of(Part.COMMITMENT), template.fields_of(Part.RETURN)
        parts = template.parts()
        return cls(
            experiment=Part.COMMITMENT in parts,
            named=True,
            applied=indicator_key(return_, "applied"),
            confidence_at_commitment=indicator_key(commitment, "confidence"),
            confidence_at_return=indicator_key(return_, "confidence"),
            fields=tuple(
                (p, tuple(f.key for f in template.fields_of(p))) for p in template.parts()
            ),
        )


def csv_header(template: SessionTemplate) -> list[str]:
    """Return the column names: :data:`CSV_COLUMNS`, one per field of ``template``, then
    :data:`LAST_COLUMNS`."""
    fields = _Plan.of(template).fields
    answers = (f"{part.value}.{key}" for part, keys in fields for key in keys)
    return [*CSV_COLUMNS, *answers, *LAST_COLUMNS]


def csv_row(
    template: SessionTemplate, learner_id: str, state: LearnerState, *, name: str = ""
) -> list[str]:
    """Return one learner's cells, in the order of :func:`csv_header`, neutralised."""
    return _row(template, _Plan.of(template), learner_id, state, name)


class Cells(Protocol):
    def __call__(self, learner_id: str, state: LearnerState, name: str = "") -> list[str]: ...


def learner_cells(template: SessionTemplate, *, answers: bool = True) -> Cells:
    """Return a function of ``(learner id, state, name)`` giving :func:`csv_row`'s cells, with
    what the template tells worked out once (for exports of many learners); without
    ``answers``, only the cells of :data:`LEARNER_COLUMNS` (no name, no answers)."""
    plan = _Plan.of(template)
    if not answers:
        plan = replace(plan, fields=(), named=False)

    def cells(learner_id: str, state: LearnerState, name: str = "") -> list[str]:
        return _row(template, plan, learner_id, state, name)

    return cells


def stream_csv(
    template: SessionTemplate, learners: Iterable[tuple[str, LearnerState]]
) -> Iterator[str]:
    """Yield the BOM, the header line, then one line per learner, reading ``learners`` lazily
    (names empty: see :func:`stream_members_csv` for names and a roster)."""
    return stream_members_csv(template, ((i, "", state) for i, state in learners))


def stream_members_csv(
    template: SessionTemplate,
    members: Iterable[tuple[str, str, LearnerState]],
    *,
    roster: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Yield the BOM, the header line, one line per ``(id, name, state)`` member read lazily,
    then one per learner of ``roster`` (id: name, from the platform) who is not a member: a
    learner who has not started. A member without a name takes the roster's."""
    row, roster = learner_cells(template), roster or {}
    seen: set[str] = set()

    def rows() -> Iterator[list[str]]:
        for learner_id, name, state in members:
            if roster:
                seen.add(learner_id)
            yield row(learner_id, state, name or roster.get(learner_id, ""))
        for learner_id, name in roster.items():
            if learner_id not in seen:
                yield row(learner_id, LearnerState(), name)

    yield from csv_lines(csv_header(template), rows())


def csv_lines(header: list[str], rows: Iterable[list[str]]) -> Iterator[str]:
    """Yield the BOM, the ``header`` line, then one CRLF line per row, reading ``rows`` lazily
    (cells already made by :func:`csv_cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield BOM
    yield line(header)
    for cells in rows:
        yield line(cells)


def _row(
    template: SessionTemplate, plan: _Plan, learner_id: str, state: LearnerState, name: str
) -> list[str]:
    progress = progress_of(template, state)
    card, commitment, return_ = state.deliverable, state.commitment, state.return_
    loop: list[object] = [None] * 9
    if plan.experiment:
        loop = [
            commitment.status(Part.COMMITMENT),
            commitment.done_at,
            commitment.due_on,
            return_.status(Part.RETURN),
            return_.done_at,
            return_.on_time,
            _answer(return_.values, plan.applied),
            _answer(commitment.values, plan.confidence_at_commitment),
            _answer(return_.values, plan.confidence_at_return),
        ]
    cells = [
        learner_id,
        card.status(Part.DELIVERABLE),
        card.done_at,
        *loop,
        progress.completion,
        progress.score,
        progress.activity,
        state.shared_at is not None,
        len(state.will_use),
    ]
    for part, keys in plan.fields:
        values = state.part(part).values
        cells.extend(values.get(key) for key in keys)
    if plan.named:
        cells.append(name)
    return [csv_cell(value) for value in cells]


def _answer(values: Values, key: str | None) -> object:
    return values.get(key) if key else None


def csv_cell(value: object) -> str:
    """Return ``value`` as CSV text, with a leading apostrophe if it could start a formula."""
    if isinstance(value, str):
        text = value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, dt.datetime):
        text = format_time(value) or ""
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, list):
        text = LIST_SEPARATOR.join(str(item) for item in value)
    else:
        text = str(value)
    return "'" + text if text and text[0] in FORMULA_STARTS else text
