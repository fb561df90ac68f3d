"""On PostgreSQL a return made from a later page locks the learner's row of the earlier
activity, so two tabs reporting back on one experiment run one after the other.

The first return is held inside its transaction (its score is being queued) while the
second runs in another thread, on its own connection, as a concurrent request would.
"""

# The fixtures of tests/lti/both_databases.py are imported by name, so tests take them again:
# ruff: noqa: F811

from __future__ import annotations

import pytest

from koula import Conflict
from koula_demo.learner_calls import RETURN
from lti.models import ScoreOutbox
from lti.services import earlier_return
from lti.services.earlier_return import run_earlier_return
from tests.lti.both_databases import postgres  # noqa: F401 - the fixture
from tests.lti.in_process import grant_for, make_activity, make_user
from tests.lti.series_loop import committed
from tests.lti.services.test_learner_locks import WAIT, Held, Request

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_tabs_returning_on_one_earlier_experiment_make_one_return(postgres, monkeypatch):
    first = make_activity(resource_link_id="s1", context_id="course-1")
    second = make_activity(resource_link_id="s2", context_id="course-1")
    ana = make_user(first, "ana", "Ana")
    committed(first, ana)
    held = Held(monkeypatch)
    monkeypatch.setattr(earlier_return, "queue_score", held._queue_score)
    body = {"values": RETURN, "session": str(first.pk)}

    def report_back():
        return run_earlier_return(grant_for(second, ana), second.pk, "submit_return", body)

    one = Request(report_back)
    assert held.inside.wait(WAIT)
    other = Request(report_back)
    other.join(1.0)
    waited = other.is_alive()
    held.released.set()
    one.join(WAIT)
    other.join(WAIT)
    assert waited, "the second return did not wait for the learner's row of the earlier activity"
    assert one.error is None, one.error
    assert isinstance(other.error, Conflict), other.error
    completed = [
        s for s in ScoreOutbox.objects.filter(activity=first, user=ana)
        if s.payload["activityProgress"] == "Completed"
    ]  # fmt: skip
    assert len(completed) == 1
