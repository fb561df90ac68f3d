"""Fixtures of the series tests: a series in memory and learners' states built by real actions.

The minimal template (tests/data/templates/minimal.yaml) returns in 14 days; the clock is
``now`` (28 November 2026) unless a test moves it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from koula.actions import apply_action
from koula.library import get_template
from koula.state import LearnerState
from koula.template import SessionTemplate
from tests.unit.use_cases.series.memory import MemorySeries

CARD = {"practice": "Pair review", "steps": ["Pick a pair"]}
COMMITMENT = {"action": "Run a five-minute retro", "confidence": 2}
RETURN = {"applied": "yes", "what_happened": "It worked twice."}


KOULA = get_template("default-koula")
CARD_KOULA = {"practice_name": "Pair review", "problem": "Late reviews", "steps": ["Pick a pair"]}


def koula_loop(at, *, share=False, group=False, returned=None, card=CARD_KOULA, **answers):
    """A default-Koula learner: card (shared with ``share``), commitment (confidence 2;
    shared with the group with ``group``), and a return if given."""

    def act(state, action, body, when):
        return apply_action(action, body, template=KOULA, state=state, now=when, language="en")

    state = act(LearnerState(), "submit_deliverable", {"values": card}, at)
    if share:
        state = act(state, "share_card", {"shared": True}, at)
    commitment = {"action": "Run a retro", "success_signal": "Owners named", "confidence": 2}
    body = {"values": commitment, "share_with_group": group}
    state = act(state, "commit_experiment", body, at)
    if returned is None:
        return state
    values = {"applied": "yes", "what_happened": "It went well.", "confidence": 4, **answers}
    return act(state, "submit_return", {"values": values}, returned)


class Steps:
    """Build a learner's state with the real actions, at chosen times."""

    def __init__(self, template: SessionTemplate, now: dt.datetime) -> None:
        self.template = template
        self.now = now

    def act(self, state: LearnerState, action: str, body: dict[str, Any], at: dt.datetime):
        return apply_action(
            action, body, template=self.template, state=state, now=at, language="en"
        )

    def committed(
        self, *, at: dt.datetime | None = None, share: bool = False, **values: Any
    ) -> LearnerState:
        at = at or self.now
        state = self.act(LearnerState(), "submit_deliverable", {"values": CARD}, at)
        body = {"values": {**COMMITMENT, **values}, "share_with_group": share}
        return self.act(state, "commit_experiment", body, at)

    def returned(
        self, *, at: dt.datetime | None = None, on: dt.datetime | None = None, **values: Any
    ) -> LearnerState:
        state = self.committed(at=at)
        return self.act(state, "submit_return", {"values": {**RETURN, **values}}, on or self.now)


@pytest.fixture
def steps(minimal_template, now) -> Steps:
    return Steps(minimal_template, now)


@pytest.fixture
def series(now) -> MemorySeries:
    return MemorySeries(now)


def day(moment: dt.datetime, days: int) -> dt.datetime:
    return moment + dt.timedelta(days=days)
