"""An activity kept in memory: the port of ``koula.use_cases.port`` for the unit tests (no mocks).

``among`` is a hint the fake honours, as the LTI tool's queries do, so a use
case that asks for too few members gets a wrong answer here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from koula.rotation import Turn
from koula.state import LearnerState
from koula.use_cases.port import Among, Member


class MemoryActivity:
    def __init__(self, now: dt.datetime, scope: str = "activity-1") -> None:
        self.clock = now
        self.scope = scope
        self.states: dict[str, LearnerState] = {}
        self.display: dict[str, str] = {}
        self.kept_turns: tuple[Turn, ...] = ()
        self.saves = 0

    def join(self, learner_id: str, name: str = "", state: LearnerState | None = None) -> None:
        self.states[learner_id] = state or LearnerState()
        self.display[learner_id] = name

    def card_scope(self) -> str:
        return self.scope

    def members(self, among: Among = Among.EVERYONE) -> Iterator[Member]:
        for learner_id, state in self.states.items():
            if among is Among.SHARING and state.shared_at is None and not state.will_use:
                continue
            if among is Among.VOLUNTEERS and state.volunteered_at is None:
                continue
            yield learner_id, self.display[learner_id], state

    def names(self) -> Iterator[tuple[str, str]]:
        for learner_id in self.states:
            yield learner_id, self.display[learner_id]

    def turns(self) -> tuple[Turn, ...]:
        return self.kept_turns

    def save_turns(self, turns: tuple[Turn, ...]) -> None:
        self.kept_turns = turns
        self.saves += 1

    def now(self) -> dt.datetime:
        return self.clock
