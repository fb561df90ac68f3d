"""A course's series kept in memory: the port of ``koula.use_cases.series.port`` for the unit
tests (no mocks).

``committed`` is a hint the fake honours, as a database adapter would, so a use case that
asks for too few members gets a wrong answer here too. It counts its reads and writes, so a
test can check that a use case reads each session once or stores nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterator
from typing import Any

from koula.state import LearnerState
from koula.template import SessionTemplate
from koula.use_cases.port import Member
from koula.use_cases.series.sessions import Session


class MemorySeries:
    def __init__(self, now: dt.datetime) -> None:
        self.clock = now
        self.by_id: dict[str, Session] = {}
        self.stored: dict[str, dict[str, dict[str, Any]]] = {}
        self.display: dict[str, str] = {}
        self.reads: Counter[str] = Counter()
        self.saves: list[tuple[str, str]] = []

    def add_session(
        self,
        session_id: str,
        template: SessionTemplate,
        *,
        created_at: dt.datetime,
        session_date: dt.date | None = None,
        **more: Any,
    ) -> Session:
        session = Session(
            id=session_id,
            title=more.pop("title", f"Session {session_id}"),
            template=template,
            created_at=created_at,
            session_date=session_date,
            card_scope=more.pop("card_scope", f"scope-{session_id}"),
            **more,
        )
        self.by_id[session_id] = session
        self.stored.setdefault(session_id, {})
        return session

    def put(self, session_id: str, learner_id: str, state: LearnerState, name: str = "") -> None:
        self.stored[session_id][learner_id] = state.to_data()
        if name:
            self.display[learner_id] = name

    def state(self, session_id: str, learner_id: str) -> LearnerState:
        return LearnerState.from_data(self.stored[session_id].get(learner_id))

    # The port ----------------------------------------------------------------------------

    def sessions(self) -> Iterator[Session]:
        yield from reversed(list(self.by_id.values()))  # any order: the use cases sort

    def members(self, session_id: str, *, committed: bool = False) -> Iterator[Member]:
        self.reads[session_id] += 1
        for learner_id, data in self.stored.get(session_id, {}).items():
            state = LearnerState.from_data(data)
            if committed and state.commitment.done_at is None:
                continue
            yield learner_id, self.display.get(learner_id, ""), state

    def learner_states(
        self, learner_id: str, session_ids: Collection[str]
    ) -> dict[str, dict[str, Any]]:
        return {
            session_id: self.stored[session_id][learner_id]
            for session_id in session_ids
            if learner_id in self.stored.get(session_id, {})
        }

    def save_state(self, session_id: str, learner_id: str, stored: dict[str, Any]) -> None:
        self.stored[session_id][learner_id] = stored
        self.saves.append((session_id, learner_id))

    def now(self) -> dt.datetime:
        return self.clock
