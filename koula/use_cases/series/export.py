"""The series CSV: one row per learner per session, in session order, streamed.

The columns are :data:`SERIES_CSV_COLUMNS`, whose names never change: the
session (``session_number`` from 1, ``session_id``, ``session_title``,
``session_date``, ``session_minutes``, ``template_id``), then the stable columns
of the activity CSV (:data:`koula.export.LEARNER_COLUMNS`, the same values), then
``commitment_shared_with_group`` (yes/no), ``experiment`` (what the learner
committed to try), and from the return ``blockers`` (joined with ``" | "``),
``value_cycle`` and ``value_story``, and last ``name`` (the learner's name when the
platform gave one, else the roster's, else empty). Templates differ between sessions, so
the per-question columns of the activity CSV are not repeated here.

With the course's ``roster`` (learner id: name; the LTI tool reads it over NRPS), each
session also gets a row for every roster learner without a state there, after those
with one, as the activity CSV does: a learner who has not started (statuses ``empty``).
Without one (none offered, unreadable, or an adapter without a roster: Open edX) the rows
are the learners who opened each session.

Cells are written as the activity CSV writes them (:func:`koula.export.csv_cell`:
a cell a spreadsheet would run as a formula gets a leading apostrophe), after
the UTF-8 byte order mark, with CRLF line ends. :func:`stream_series_csv`
reads one session's members at a time and holds one row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from koula.export import LAST_COLUMNS, LEARNER_COLUMNS, csv_cell, csv_lines, learner_cells
from koula.impact import indicator_key
from koula.state import LearnerState
from koula.template import Part
from koula.use_cases.series.port import SeriesStore
from koula.use_cases.series.sessions import (
    Session,
    experiment_key,
    in_order,
    what_was_committed,
)

__all__ = ["SERIES_CSV_COLUMNS", "stream_series_csv"]

SESSION_COLUMNS = (
    "session_number",
    "session_id",
    "session_title",
    "session_date",
    "session_minutes",
    "template_id",
)
EXTRA_COLUMNS = (
    "commitment_shared_with_group",
    "experiment",
    "blockers",
    "value_cycle",
    "value_story",
)
SERIES_CSV_COLUMNS = (*SESSION_COLUMNS, *LEARNER_COLUMNS, *EXTRA_COLUMNS, *LAST_COLUMNS)


def stream_series_csv(
    store: SeriesStore, *, language: str = "en", roster: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Yield the BOM, the header line, then one line per learner per session, sessions in
    order (a session's untitled title in ``language``); with ``roster`` (id: name), also one
    per roster learner who has not started a session."""
    return csv_lines(list(SERIES_CSV_COLUMNS), _rows(store, language, roster or {}))


def _rows(store: SeriesStore, language: str, roster: Mapping[str, str]) -> Iterator[list[str]]:
    for number, session in enumerate(in_order(store.sessions()), start=1):
        yield from _session_rows(store, session, number, language, roster)


def _session_rows(
    store: SeriesStore, session: Session, number: int, language: str, roster: Mapping[str, str]
) -> Iterator[list[str]]:
    template = session.template
    stable = learner_cells(template, answers=False)
    named = experiment_key(template)
    told = template.fields_of(Part.RETURN)
    keys = [indicator_key(told, name) for name in ("blockers", "value_cycle", "value_story")]
    experiment = Part.COMMITMENT in template.parts()
    first = [
        csv_cell(value)
        for value in (
            number,
            session.id,
            session.title_in(language),
            session.date,
            session.minutes,
            template.id,
        )
    ]
    seen: set[str] = set()
    for learner_id, name, state in store.members(session.id):
        if roster:
            seen.add(learner_id)
        returned = state.return_.values if state.return_.done_at else {}
        committed = state.commitment.done_at is not None
        extra = [
            state.share_commitment if committed else None,
            what_was_committed(template, state.commitment.values, key=named) if committed else None,
            *(returned.get(key) if key else None for key in keys),
        ]
        if not experiment:
            extra = [None] * len(EXTRA_COLUMNS)
        last = csv_cell(name or roster.get(learner_id, ""))
        yield [*first, *stable(learner_id, state), *(csv_cell(v) for v in extra), last]
    not_started = [None] * len(EXTRA_COLUMNS)
    for learner_id, name in roster.items():
        if learner_id not in seen:
            cells = stable(learner_id, LearnerState())
            yield [*first, *cells, *(csv_cell(v) for v in not_started), csv_cell(name)]
