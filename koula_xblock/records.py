"""Learner records that staff can list for a whole block, kept without shared read-modify-write.

After each learner action that changes what is stored, the block hands the
learner's record (the learner state of ``docs/learner-api.md``: the three parts
and ``progress``) to a :class:`RecordStore`, which appends it under that
learner alone; :meth:`RecordStore.iter_records` lists the newest record of every
learner. :func:`koula_xblock.compat.record_store` picks the store: a
``koula_records`` runtime service when the runtime offers one (the tests' fake),
else edx-submissions (:class:`SubmissionsRecordStore`), else :data:`NO_RECORDS`.
:func:`report_rows` makes the rows of the LMS problem-responses report, answers included.
See ``docs/xblock-records.md`` for why.
"""

from __future__ import annotations

import csv
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from koula import (
    LearnerState,
    Part,
    SessionTemplate,
    learner_state_data,
    progress_of,
    stream_csv,
)

__all__ = [
    "ITEM_TYPE",
    "NO_RECORDS",
    "RecordStore",
    "SubmissionsRecordStore",
    "item_key",
    "record_of",
    "records_listing",
    "report_rows",
    "usage_text",
]

log = logging.getLogger(__name__)

ITEM_TYPE = "koula"
WORKBENCH_COURSE = "workbench"
"""The course of a usage id that has none (the workbench's)."""


class RecordStore(Protocol):
    def save(self, block: Any, learner_id: str, record: dict[str, Any]) -> None:
        """Append ``record`` as ``learner_id``'s newest in ``block``; never touch another's."""

    def iter_records(self, block: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield ``(learner_id, record)``: the newest record of each learner of ``block``."""

    def learner_records(self, blocks: Sequence[Any], learner_id: str) -> dict[str, dict[str, Any]]:
        """Return ``learner_id``'s newest record in each of ``blocks`` (all of one course), by
        usage id; a block where the learner has none is absent."""


def record_of(template: SessionTemplate, stored: dict[str, Any], name: str = "") -> dict[str, Any]:
    """Return the record of a learner whose stored state is ``stored``: state and progress,
    and the learner's ``name`` as staff and the community see it (beside a shared card)."""
    return {**learner_state_data(template, LearnerState.from_data(stored)), "name": name}


def usage_text(usage_id: Any) -> str:
    """Return a usage id as the LMS names the block to learners: without the modulestore's
    branch or version (a block read from the modulestore may carry them)."""
    for_branch = getattr(usage_id, "for_branch", None)
    if callable(for_branch):
        usage_id = for_branch(None)
    agnostic = getattr(usage_id, "version_agnostic", None)
    if callable(agnostic):
        usage_id = agnostic()
    return str(usage_id)


def item_key(block: Any) -> dict[str, str]:
    """Return the course, item and type under which ``block``'s records are kept."""
    usage_id = block.scope_ids.usage_id
    course_key = getattr(usage_id, "course_key", None)
    if course_key is not None and callable(getattr(course_key, "for_branch", None)):
        course_key = course_key.for_branch(None)
    return {
        "course_id": str(course_key) if course_key is not None else WORKBENCH_COURSE,
        "item_id": usage_text(usage_id),
        "item_type": ITEM_TYPE,
    }


class _NoRecords:
    """The store of a host that offers none: saving is a logged no-op, listing finds nothing."""

    def save(self, block: Any, learner_id: str, record: dict[str, Any]) -> None:
        log.warning(
            "Koula: no record store here (no koula_records service, no edx-submissions app):"
            " the record of %s in %s is not kept",
            learner_id,
            block.scope_ids.usage_id,
        )

    def iter_records(self, block: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        return iter(())

    def learner_records(self, blocks: Sequence[Any], learner_id: str) -> dict[str, dict[str, Any]]:
        return {}


NO_RECORDS: RecordStore = _NoRecords()


class SubmissionsRecordStore:
    """Records as edx-submissions rows: one new Submission per save, one StudentItem per learner.

    ``api`` is ``submissions.api``; ``guard`` makes the context of each write (a
    savepoint inside the host's transaction); ``submissions`` is the ``Submission``
    model, for the one read the API lacks (one learner's newest rows across items).
    :mod:`koula_xblock.compat` hands them over, so that this module imports neither
    Django nor edx-submissions.
    """

    def __init__(
        self, api: Any, guard: Callable[[], AbstractContextManager[Any]], submissions: Any
    ) -> None:
        self.api = api
        self.guard = guard
        self.submissions = submissions

    def save(self, block: Any, learner_id: str, record: dict[str, Any]) -> None:
        with self.guard():
            self.api.create_submission({**item_key(block), "student_id": learner_id}, record)

    def iter_records(self, block: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        key = item_key(block)
        rows = self.api.get_all_submissions(
            key["course_id"], key["item_id"], key["item_type"], read_replica=True
        )
        for row in rows:
            yield str(row["student_id"]), row["answer"]

    def learner_records(self, blocks: Sequence[Any], learner_id: str) -> dict[str, dict[str, Any]]:
        """One query: the learner's rows in these items, newest first within each item.

        The API's per-learner read (``get_submissions``) creates a ``StudentItem`` for an
        item the learner never acted in, a write on every page view; this reads only.
        """
        keys = [item_key(block) for block in blocks]
        if not keys:
            return {}
        rows = (
            self.submissions.objects.filter(
                student_item__course_id=keys[0]["course_id"],
                student_item__student_id=learner_id,
                student_item__item_type=ITEM_TYPE,
                student_item__item_id__in=[key["item_id"] for key in keys],
            )
            .order_by("student_item__item_id", "-submitted_at", "-id")
            .values_list("student_item__item_id", "answer")
        )
        newest: dict[str, dict[str, Any]] = {}
        for item_id, answer in rows:
            newest.setdefault(str(item_id), answer)
        return newest


def records_listing(store: RecordStore, block: Any) -> dict[str, Any]:
    """Return ``{"learners": N, "records": [{"learner_id", "record"}...]}``, newest per learner."""
    records = [
        {"learner_id": learner, "record": record} for learner, record in store.iter_records(block)
    ]
    return {"learners": len(records), "records": records}


def report_rows(
    template: SessionTemplate, user_states: Iterable[Any], limit: int | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(username, row)`` for each user with a state, at most ``limit`` rows.

    ``user_states`` yields objects with ``username`` and ``state`` (the user's
    fields of the block, as the LMS's user-state client gives them). A row has the
    statuses and progress under the column names of the Koula CSV export, which never
    change (the commitment and return statuses are empty for a template without
    experiment), then the learner's submitted answers, one key per question of the
    template (``deliverable.<key>``, ``commitment.<key>``, ``return.<key>``), written
    as that export writes them (the core's :func:`koula.stream_csv`, read back): lists
    joined with ``" | "``, a cell a spreadsheet would run as a formula neutralised.
    """
    read: deque[tuple[str, LearnerState]] = deque()

    def learners() -> Iterator[tuple[str, LearnerState]]:
        for username, state in _stated(user_states, limit):
            read.append((username, state))
            yield username, state

    lines = stream_csv(template, learners())
    next(lines)  # the byte order mark
    header = _cells(next(lines))
    answers = [(index, name) for index, name in enumerate(header) if "." in name]
    for line in lines:
        cells = _cells(line)
        username, state = read.popleft()
        row = _report_row(template, state)
        yield username, {**row, **{name: cells[index] for index, name in answers}}


def _stated(user_states: Iterable[Any], limit: int | None) -> Iterator[tuple[str, LearnerState]]:
    count = 0
    for user_state in user_states:
        if limit is not None and count >= limit:
            return
        stored = (user_state.state or {}).get("learner_state")
        if not stored:
            continue
        count += 1
        yield user_state.username, LearnerState.from_data(stored)


def _cells(line: str) -> list[str]:
    return next(csv.reader([line]))


def _report_row(template: SessionTemplate, state: LearnerState) -> dict[str, Any]:
    parts = template.parts()
    progress = progress_of(template, state)
    return {
        **{
            f"{part.value}_status": state.part(part).status(part) if part in parts else ""
            for part in Part
        },
        "completion": progress.completion,
        "score": progress.score,
        "activity": progress.activity,
    }
