"""What the sandbox's gradebook page shows: per activity, each learner's newest score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from koula_demo.people import PEOPLE, Person

if TYPE_CHECKING:
    from koula_demo.sandbox import Activity, Sandbox

__all__ = ["Book", "Row", "gradebook_rows"]


@dataclass(frozen=True)
class Row:
    """One learner's line: ``score`` is ``None`` until the tool sends a graded score."""

    person: Person
    score: float | None
    progress: str | None
    comment: str
    timestamp: str


@dataclass(frozen=True)
class Book:
    """One gradebook column (an activity's line item) and a row per learner."""

    activity: Activity
    score_maximum: float
    rows: list[Row]


def _row(person: Person, body: dict[str, Any] | None) -> Row:
    if body is None:
        return Row(person, None, None, "", "")
    given = body.get("scoreGiven")
    return Row(
        person,
        float(given) if isinstance(given, int | float) else None,
        str(body.get("activityProgress") or ""),
        str(body.get("comment") or ""),
        str(body.get("timestamp") or "")[:19].replace("T", " "),
    )


def gradebook_rows(sandbox: Sandbox) -> list[Book]:
    """A book per placed activity with a line item, learners in roster order."""
    books = []
    for activity in sandbox.activities():
        item = sandbox.line_item(activity.lineitem_id) if activity.lineitem_id else None
        if item is None:
            continue
        grades = sandbox.gradebook(item.id)
        rows = [
            _row(person, grades.get(person.user_id))
            for person in PEOPLE
            if not person.is_instructor
        ]
        books.append(Book(activity, item.score_maximum, rows))
    return books
