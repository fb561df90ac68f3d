"""The port the community's use cases read and write one activity through.

An adapter implements :class:`ActivityStore` over its own storage: the
activity's members (learner id, display name, state), the host turns, the
scope of its public card ids, and a clock. ``members`` takes a hint,
:class:`Among`, so that an adapter backed by a database reads only the
learners a use case needs; the use cases filter again, so an adapter may
always yield everyone and get the same answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import Enum
from typing import Protocol

from koula.rotation import Turn
from koula.state import LearnerState

__all__ = ["ActivityStore", "Among", "Member"]

Member = tuple[str, str, LearnerState]
"""One member of an activity: learner id, display name ("" when unknown), state."""


class Among(Enum):
    """Which members a use case needs (a hint: yielding more changes no answer)."""

    EVERYONE = "everyone"
    SHARING = "sharing"
    """Who shares a practice card or marked one "I will use this"."""
    VOLUNTEERS = "volunteers"
    """Who offered to host the next session."""


class ActivityStore(Protocol):
    """One activity as an adapter stores it."""

    def card_scope(self) -> str:
        """Return the scope of the public card ids (:func:`koula.community.public_id`)."""
        ...

    def members(self, among: Among = Among.EVERYONE) -> Iterable[Member]:
        """Yield the activity's members with a state (at least those ``among`` asks for)."""
        ...

    def names(self) -> Iterable[tuple[str, str]]:
        """Yield ``(learner id, display name)`` for every member (for matching a typed name)."""
        ...

    def turns(self) -> tuple[Turn, ...]:
        """Return the hand-overs so far, oldest first."""
        ...

    def save_turns(self, turns: tuple[Turn, ...]) -> None:
        """Store ``turns``; the last is the next host."""
        ...

    def now(self) -> dt.datetime:
        """Return the current time, in UTC."""
        ...
