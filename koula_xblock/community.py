"""One block's community as the core's port sees it (:mod:`koula.use_cases.port`).

Every learner's newest record (:mod:`koula_xblock.records`) carries their
state and name, so the members (for the card library, the volunteers, the
reports) are read from the record store, never from another learner's fields:
learners only ever write their own state. The host turns live in two fields of
the whole block (``user_state_summary``), which only staff and the learner
hosting now write (:mod:`koula.use_cases.hosting`), so no learner's update is
lost. Cards are known by public ids scoped to the block's usage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from xblock.fields import List, Scope, String

from koula import Among, LearnerState, Member, Turn, turns_data, turns_from_data
from koula_xblock import compat
from koula_xblock.records import RecordStore

__all__ = ["BlockActivity", "CommunityMixin"]


class HostFields(Protocol):
    """What :class:`BlockActivity` reads and writes of a block."""

    scope_ids: Any
    next_host: str
    host_turns: list[Any]


class BlockActivity:
    """The port over one block: members from ``store``, turns in the block's fields.

    ``reader`` is the current user, counted as a member when they have a state
    the store does not hold yet (a store that failed, or a host with none).
    """

    def __init__(self, block: HostFields, *, store: RecordStore, reader: Member) -> None:
        self.block = block
        self.store = store
        self.reader = reader

    def card_scope(self) -> str:
        return f"koula-card:{self.block.scope_ids.usage_id}"

    def members(self, among: Among = Among.EVERYONE) -> Iterator[Member]:
        seen = False
        for learner_id, record in self.store.iter_records(self.block):
            seen = seen or learner_id == self.reader[0]
            yield learner_id, str(record.get("name") or ""), LearnerState.from_data(record)
        if not seen and self.reader[2] != LearnerState():
            yield self.reader

    def names(self) -> Iterator[tuple[str, str]]:
        return ((learner_id, name) for learner_id, name, _state in self.members())

    def turns(self) -> tuple[Turn, ...]:
        return turns_from_data(self.block.host_turns)

    def save_turns(self, turns: tuple[Turn, ...]) -> None:
        self.block.host_turns = turns_data(turns)
        self.block.next_host = turns[-1].name if turns else ""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class CommunityMixin:
    """The host turns of the block, its community as the port (:meth:`community`), its reader.

    Needs the ``learner_state`` field (:class:`~.learner.LearnerMixin`) and an ``XBlock``.
    """

    next_host = String(
        default="",
        scope=Scope.user_state_summary,
        help="Who hosts the next session, as staff confirmed it.",
    )
    host_turns = List(
        default=[],
        scope=Scope.user_state_summary,
        help="The hand-overs so far, oldest first (see koula.rotation); the last is the next host.",
    )

    if TYPE_CHECKING:
        learner_state: dict[str, Any]
        scope_ids: Any

    def reader(self) -> str:
        """Return the current user's learner id (as records and card ids know them)."""
        return compat.learner_id(self)

    def community(self) -> BlockActivity:
        """Return this block's community, read by the current user."""
        state = LearnerState.from_data(self.learner_state)
        reader = (self.reader(), compat.user_name(self), state)
        return BlockActivity(self, store=compat.record_store(self), reader=reader)
