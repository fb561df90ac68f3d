from __future__ import annotations

import pytest

from koula.actions import apply_action
from koula.state import LearnerState
from tests.unit.use_cases.memory import MemoryActivity

CARD = {"values": {"practice": "Pair review", "steps": ["Pick a pair"]}}


@pytest.fixture
def activity(now) -> MemoryActivity:
    return MemoryActivity(now)


@pytest.fixture
def learner(minimal_template, now):
    """Return a learner's state after the given ``(action, body)`` steps."""

    def after(*steps: tuple[str, dict]) -> LearnerState:
        state = LearnerState()
        for action, body in steps:
            state = apply_action(
                action, body, template=minimal_template, state=state, now=now, language="en"
            )
        return state

    return after
