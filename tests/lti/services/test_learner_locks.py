"""On PostgreSQL a learner action locks the learner's own row, not the activity's.

A learner's first action is held inside its transaction (its score is being queued, so
its row is written and locked) while other actions run in other threads, each on its own
connection, as concurrent requests would.
"""

# The fixtures of tests/lti/both_databases.py are imported by name, so tests take them again:
# ruff: noqa: F811

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from koula_demo.learner_calls import CARD
from lti.models import LearnerRecord
from lti.services import learner
from lti.services.learner import run_action
from tests.lti.both_databases import postgres  # noqa: F401 - the fixture
from tests.lti.in_process import grant_for, make_activity, make_user

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 10.0


class Held:
    """Holds the first action that queues a score inside its transaction until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inside = threading.Event()
        self.released = threading.Event()
        self._real = learner.queue_score
        self._taken = False
        monkeypatch.setattr(learner, "queue_score", self._queue_score)

    def _queue_score(self, *args: Any, **kwargs: Any) -> Any:
        if not self._taken:
            self._taken = True
            self.inside.set()
            assert self.released.wait(WAIT)
        return self._real(*args, **kwargs)


class Request(threading.Thread):
    """``call()`` in a thread of its own, with its own database connection."""

    def __init__(self, call: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.call, self.answer, self.error = call, None, None
        self.start()

    def run(self) -> None:
        try:
            self.answer = self.call()
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            connection.close()


def act(activity, user, action: str, body: dict[str, Any]) -> Callable[[], Any]:
    return lambda: run_action(grant_for(activity, user), activity.pk, action, body)


def test_a_learner_acts_while_another_learners_action_is_in_flight(postgres, monkeypatch):
    activity = make_activity()
    ana, ben = make_user(activity, "ana", "Ana"), make_user(activity, "ben", "Ben")
    held = Held(monkeypatch)
    first = Request(act(activity, ana, "submit_deliverable", {"values": CARD}))
    assert held.inside.wait(WAIT)
    second = Request(act(activity, ben, "submit_deliverable", {"values": CARD}))
    second.join(WAIT)
    finished_while_held = not second.is_alive()
    held.released.set()
    first.join(WAIT)
    assert finished_while_held, "Ben's action waited for Ana's transaction"
    assert first.error is None and second.error is None, (first.error, second.error)


def test_a_learners_second_action_waits_for_the_first_and_sees_what_it_stored(
    postgres, monkeypatch
):
    activity = make_activity()
    ana = make_user(activity, "ana", "Ana")
    act(activity, ana, "save_draft", {"part": "deliverable", "values": {"problem": "Late"}})()
    held = Held(monkeypatch)
    first = Request(act(activity, ana, "submit_deliverable", {"values": CARD}))
    assert held.inside.wait(WAIT)
    second = Request(act(activity, ana, "share_card", {"shared": True}))  # needs the card
    second.join(1.0)
    waited = second.is_alive()
    held.released.set()
    first.join(WAIT)
    second.join(WAIT)
    assert waited, "the second action did not wait for the learner's row"
    assert second.error is None, second.error
    assert second.answer["community"]["shared"] is True


def test_two_first_actions_of_one_learner_make_one_record(postgres, monkeypatch):
    activity = make_activity()
    ana = make_user(activity, "ana", "Ana")
    held = Held(monkeypatch)
    first = Request(act(activity, ana, "submit_deliverable", {"values": CARD}))
    assert held.inside.wait(WAIT)
    second = Request(act(activity, ana, "share_card", {"shared": True}))
    second.join(1.0)
    held.released.set()
    first.join(WAIT)
    second.join(WAIT)
    assert first.error is None and second.error is None, (first.error, second.error)
    (record,) = LearnerRecord.objects.filter(activity=activity, user=ana)
    assert record.state["community"]["shared"] is True
