"""One learner's state in one activity, and its JSON form (the public contract).

The state keeps, per part (deliverable, commitment, return), the submitted
values and any newer draft, so that editing a submitted answer never loses
what was submitted. Progress is never stored: :mod:`koula.progress` derives
it from these causes each time.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from koula.template import Part, part_attribute
from koula.values import Values

__all__ = ["LearnerState", "PartState", "format_time", "parse_time", "replaced"]


def format_time(moment: dt.datetime | None) -> str | None:
    """Return ISO 8601 UTC with millisecond precision and a ``Z`` (None stays None)."""
    if moment is None:
        return None
    utc = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return utc.isoformat(timespec="milliseconds") + "Z"  # the milliseconds cut, not rounded


def parse_time(text: str | None) -> dt.datetime | None:
    """Read a time written by :func:`format_time` (or any ISO 8601 form), in UTC."""
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)  # reads the "Z" (Python 3.11 and newer)
    return moment if moment.tzinfo is dt.UTC else moment.astimezone(dt.UTC)


_date = functools.lru_cache(maxsize=4096)(dt.date.fromisoformat)
"""Due dates repeat across a cohort: each is read once."""

_new = object.__new__
"""Reading states for a report makes hundreds of thousands of them. A frozen dataclass's
``__init__`` sets each field through ``object.__setattr__``; filling a new object's
``__dict__`` at once makes the same object about three times faster. ``from_data`` sets
every field, so the objects equal what ``__init__`` would make (tests compare them)."""


def replaced[T](made: T, **changes: Any) -> T:
    """``dataclasses.replace`` for the state's frozen dataclasses (which have no
    ``__post_init__``), without calling ``__init__`` (see :data:`_new`): an action makes a
    few of them. A name that is not a field is refused, as ``replace`` refuses it."""
    fields = made.__dataclass_fields__  # type: ignore[attr-defined]
    if not changes.keys() <= fields.keys():
        raise TypeError(f"not fields of {type(made).__name__}: {sorted(changes.keys() - fields)}")
    copy = _new(type(made))
    copy.__dict__.update(made.__dict__, **changes)
    return copy


@dataclass(frozen=True)
class PartState:
    """One part: ``values`` as submitted (empty until then) and ``draft``, unsubmitted edits."""

    values: Values = field(default_factory=dict)
    draft: Values | None = None
    done_at: dt.datetime | None = None
    """When the part was first submitted (or committed)."""
    due_on: dt.date | None = None
    on_time: bool | None = None

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def status(self, part: Part) -> str:
        if self.done:
            return "committed" if part is Part.COMMITMENT else "submitted"
        return "draft" if self.draft is not None else "empty"

    def to_data(self, part: Part) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status(part),
            "values": dict(self.values) if self.done else dict(self.draft or {}),
            "draft": dict(self.draft) if self.done and self.draft is not None else None,
        }
        if part is Part.COMMITMENT:
            data["committed_at"] = format_time(self.done_at)
            data["due_on"] = self.due_on.isoformat() if self.due_on else None
        else:
            data["submitted_at"] = format_time(self.done_at)
        if part is Part.RETURN:
            data["on_time"] = self.on_time
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> PartState:
        """Read one part's data (any part: the keys it lacks are simply absent).

        Reports read every learner's state, so this runs 300,000 times for 100,000
        learners: it fills the new object's fields at once (see :data:`_new`).
        """
        part = _new(cls)
        if not data:
            part.__dict__.update(values={}, draft=None, done_at=None, due_on=None, on_time=None)
            return part
        get = data.get
        done_at = parse_time(get("committed_at") or get("submitted_at"))
        values = dict(get("values") or {})
        due = get("due_on")
        part.__dict__.update(
            values=values if done_at else {},
            draft=get("draft") if done_at else (values or None),
            done_at=done_at,
            due_on=_date(due) if due else None,
            on_time=get("on_time"),
        )
        return part


@dataclass(frozen=True)
class LearnerState:
    """The three parts of one learner's loop, the host offer and what they share and reuse."""

    deliverable: PartState = field(default_factory=PartState)
    commitment: PartState = field(default_factory=PartState)
    return_: PartState = field(default_factory=PartState)
    volunteered_at: dt.datetime | None = None
    """When the learner offered to host the next session (None: no offer, or withdrawn)."""
    shared_at: dt.datetime | None = None
    """When the learner shared their practice card with the community (None: not shared)."""
    will_use: tuple[str, ...] = ()
    """The community cards (ids, see :mod:`koula.community`) the learner will use."""
    share_commitment: bool = False
    """Whether the learner chose to share their commitment with the group (the host's
    check-in, :mod:`koula.use_cases.series.check_in`); ``commitment.share_with_group``."""

    def part(self, part: Part) -> PartState:
        held: PartState = getattr(self, part_attribute(part))
        return held

    def with_part(self, part: Part, value: PartState) -> LearnerState:
        if part is Part.DELIVERABLE:
            return replaced(self, deliverable=value)
        if part is Part.COMMITMENT:
            return replaced(self, commitment=value)
        return replaced(self, return_=value)

    def to_data(self) -> dict[str, Any]:
        """Return the parts, the host offer and the community in contract form.

        (Progress is added by :mod:`koula.progress`.)
        """
        data: dict[str, Any] = {part.value: self.part(part).to_data(part) for part in Part}
        data[Part.COMMITMENT.value]["share_with_group"] = self.share_commitment
        data["host"] = {
            "volunteered": self.volunteered_at is not None,
            "volunteered_at": format_time(self.volunteered_at),
        }
        data["community"] = {
            "shared": self.shared_at is not None,
            "shared_at": format_time(self.shared_at),
            "will_use": list(self.will_use),
        }
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> LearnerState:
        if not data:
            return cls()
        read = PartState.from_data
        host = data.get("host") or {}
        community = data.get("community") or {}
        marks = community.get("will_use")
        commitment = data.get("commitment")
        state = _new(cls)
        state.__dict__.update(
            deliverable=read(data.get("deliverable")),
            commitment=read(commitment),
            return_=read(data.get("return")),
            volunteered_at=parse_time(host.get("volunteered_at")),
            shared_at=parse_time(community.get("shared_at")),
            will_use=tuple(str(card) for card in marks) if marks else (),
            share_commitment=(commitment or {}).get("share_with_group") is True,
        )
        return state
