"""Rotating facilitation: who hosted, who hosts next, and the hand-over between them.

Staff, or the learner hosting now, hand the next session over to someone
(:func:`hand_over`): a name, linked to a participant when it is the name of
exactly one (so that this participant can open the run-sheet when their turn
comes). Names are compared by :func:`name_key`: Unicode case folding, so
"élodie" is "Élodie", and blanks squeezed. Each hand-over is kept as a turn,
oldest first; the newest turn is the next host. Adapters store the turns as
data (:func:`turns_data`, :func:`turns_from_data`); only staff and the current
host write them (:mod:`koula.use_cases.hosting`), so no learner's update is lost.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from koula.errors import BadRequest
from koula.messages import gettext_for
from koula.state import LearnerState, format_time, parse_time

__all__ = [
    "MAX_NAME",
    "MAX_TURNS",
    "Rotation",
    "Turn",
    "hand_over",
    "name_key",
    "rotation_of",
    "turns_data",
    "turns_from_data",
    "volunteers_of",
]

MAX_NAME = 100
MAX_TURNS = 200


@dataclass(frozen=True)
class Turn:
    name: str
    learner_id: str | None
    """The participant of that name, when the name is one's (they may open the run-sheet)."""
    at: dt.datetime


@dataclass(frozen=True)
class Rotation:
    """Host rotation for the report: the turns so far and who offered to host."""

    turns: tuple[Turn, ...]
    volunteers: tuple[str, ...]

    @property
    def next_host(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    @property
    def hosts(self) -> int:
        """How many different people have been handed a session."""
        return len({name_key(turn.name) for turn in self.turns})


def name_key(name: str) -> str:
    """Return ``name`` as names are compared: Unicode case folding, blanks squeezed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def hand_over(
    turns: Sequence[Turn],
    name: object,
    *,
    participants: Iterable[tuple[str, str]],
    now: dt.datetime,
    language: str,
) -> tuple[Turn, ...]:
    """Return ``turns`` with a new next host ``name``; raise BadRequest (400) on a bad name.

    ``participants`` are the activity's ``(learner id, display name)`` pairs, read
    only once the name is valid. A name that is exactly one participant's (see
    :func:`name_key`) links the turn to them, under the name as they are known.
    Blanks are squeezed.
    """
    _ = gettext_for(language)
    text = " ".join(name.split()) if isinstance(name, str) else ""
    if not text or len(text) > MAX_NAME:
        message = _("Give the next host's name, in at most {n} characters.").format(n=MAX_NAME)
        raise BadRequest({"next_host": message})
    name_as_known, learner_id = _participant(text, participants) or (text, None)
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)  # times are kept to the ms
    turn = Turn(name_as_known, learner_id, at)
    return (*turns, turn)[-MAX_TURNS:]


def _participant(text: str, participants: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """Return ``(name as known, learner id)`` of the one participant named ``text``, else None."""
    wanted = name_key(text)
    found = [(known, learner) for learner, known in participants if name_key(known) == wanted]
    return found[0] if len({learner for _known, learner in found}) == 1 else None


class Volunteers:
    """Who offered to host the next session, read from learners one at a time."""

    def __init__(self) -> None:
        self._offers: list[tuple[dt.datetime, str]] = []

    def add(self, learner_id: str, name: str | None, state: LearnerState) -> None:
        if state.volunteered_at is not None:
            self._offers.append((state.volunteered_at, name or learner_id))

    def names(self) -> list[str]:
        """Return the volunteers' names (their id when they have none), earliest offer first."""
        return [who for _when, who in sorted(self._offers)]


def volunteers_of(learners: Iterable[tuple[str, str | None, LearnerState]]) -> list[str]:
    """Return who offered to host the next session among ``(id, name, state)`` triples."""
    found = Volunteers()
    for learner_id, name, state in learners:
        found.add(learner_id, name, state)
    return found.names()


def rotation_of(turns: Sequence[Turn], volunteers: Sequence[str]) -> Rotation:
    return Rotation(tuple(turns), tuple(volunteers))


def turns_data(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    return [
        {"name": turn.name, "learner_id": turn.learner_id, "at": format_time(turn.at)}
        for turn in turns
    ]


def turns_from_data(data: object) -> tuple[Turn, ...]:
    """Read turns written by :func:`turns_data`; anything unreadable is skipped."""
    turns = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        at = parse_time(item.get("at")) or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        learner = item.get("learner_id")
        turns.append(Turn(item["name"], str(learner) if learner else None, at))
    return tuple(turns)
