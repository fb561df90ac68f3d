"""Host rotation through the port: who hosts now, who may hand over, the hand-over, volunteers.

Course staff and the learner the last hand-over named (the host now) may hand
the next session over; anyone else is refused with
:class:`~koula.errors.NotPermitted` (403). The name is checked and matched to a
participant by :func:`koula.rotation.hand_over`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from koula.errors import NotPermitted
from koula.messages import N_, translate
from koula.rotation import Turn, hand_over, volunteers_of
from koula.use_cases.port import ActivityStore, Among

__all__ = ["Actor", "assign_host", "is_current_host", "may_hand_over", "volunteers"]

HOST_OR_STAFF_ONLY = N_("Only course staff and this session's host can choose the next host.")
SAVED = N_("The next host is saved.")


@dataclass(frozen=True)
class Actor:
    """Who asks: a learner's id (None when unknown) and whether they are course staff."""

    learner_id: str | None
    staff: bool = False


def may_hand_over(turns: Sequence[Turn], actor: Actor) -> bool:
    """Return True when ``actor`` may choose the next host: staff, or the host now."""
    return actor.staff or _hosting(turns, actor.learner_id)


def is_current_host(activity: ActivityStore, learner_id: str | None) -> bool:
    """Return True when ``learner_id`` is the learner the last hand-over named."""
    return _hosting(activity.turns(), learner_id)


def assign_host(
    activity: ActivityStore, name: object, *, by: Actor, language: str
) -> dict[str, str]:
    """Hand the next session over to ``name``; return ``{"next_host", "message"}``.

    Raises NotPermitted (403) unless ``by`` may hand over, BadRequest (400) for a
    blank name or one too long. Nothing is stored when it raises.
    """
    turns = activity.turns()
    if not may_hand_over(turns, by):
        raise NotPermitted({"_": translate(language, HOST_OR_STAFF_ONLY)})
    turns = hand_over(
        turns, name, participants=activity.names(), now=activity.now(), language=language
    )
    activity.save_turns(turns)
    return {"next_host": turns[-1].name, "message": translate(language, SAVED)}


def volunteers(activity: ActivityStore) -> list[str]:
    """Return who offered to host the next session (name, else id), earliest offer first."""
    return volunteers_of(activity.members(Among.VOLUNTEERS))


def _hosting(turns: Sequence[Turn], learner_id: str | None) -> bool:
    return bool(turns) and learner_id is not None and turns[-1].learner_id == learner_id
