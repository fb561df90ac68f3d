"""The learner actions (lti/services/learner.py): what is stored, queued and raised."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koula import InvalidValues, NotSetUp, OutOfOrder
from koula_demo.learner_calls import CARD, COMMITMENT, RETURN
from lti.errors import NotAllowed
from lti.models import Activity, LearnerRecord, LtiUser, ScoreOutbox, StatementOutbox
from lti.services.community import shared_cards
from lti.services.learner import learner_state, run_action
from lti.services.raw_rows import _insert_sql
from tests.lti.in_process import grant_for, make_activity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    return make_activity()


def stored(activity, user) -> dict:
    return LearnerRecord.objects.get(activity=activity, user=user).state


def test_an_action_stores_the_new_state_and_queues_the_score_with_it(activity, ana):
    answer = run_action(
        grant_for(activity, ana), activity.pk, "submit_deliverable", {"values": CARD}
    )
    assert answer["progress"]["activity"] == "InProgress"
    assert stored(activity, ana)["deliverable"]["values"]["practice_name"] == CARD["practice_name"]
    (score,) = ScoreOutbox.objects.filter(activity=activity, user=ana)
    assert score.payload["userId"] == "ana" and score.status == "pending"


def test_a_first_action_on_an_sqlite_without_returning_is_applied_once(activity, ana, monkeypatch):
    """SQLite before 3.35 has no RETURNING: the new record's key comes from its row id."""
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    _insert_sql.cache_clear()
    try:
        answer = run_action(
            grant_for(activity, ana), activity.pk, "submit_deliverable", {"values": CARD}
        )
    finally:
        _insert_sql.cache_clear()
    assert answer["progress"]["activity"] == "InProgress"
    assert ScoreOutbox.objects.filter(activity=activity, user=ana).count() == 1


def test_an_action_that_changes_no_progress_queues_no_score(activity, ana):
    grant = grant_for(activity, ana)
    run_action(grant, activity.pk, "submit_deliverable", {"values": CARD})
    run_action(grant, activity.pk, "share_card", {"shared": True})
    assert ScoreOutbox.objects.filter(activity=activity, user=ana).count() == 1


def test_refused_values_are_kept_as_the_draft_before_the_refusal_is_raised(activity, ana):
    typed = {**CARD, "steps": "not a list"}
    with pytest.raises(InvalidValues) as refused:
        run_action(grant_for(activity, ana), activity.pk, "submit_deliverable", {"values": typed})
    assert refused.value.status == 400 and refused.value.errors
    assert stored(activity, ana)["deliverable"]["values"]["practice_name"] == CARD["practice_name"]
    assert not ScoreOutbox.objects.exists()


def test_an_action_out_of_order_is_refused_with_409_and_the_typed_values_kept(activity, ana):
    with pytest.raises(OutOfOrder) as refused:
        run_action(grant_for(activity, ana), activity.pk, "submit_return", {"values": RETURN})
    assert refused.value.status == 409
    assert stored(activity, ana)["return"]["values"]["what_happened"] == RETURN["what_happened"]


def test_an_activity_that_is_not_set_up_refuses_every_action(ana):
    bare = make_activity(resource_link_id="bare", template="no-such-template")
    with pytest.raises(NotSetUp) as refused:
        run_action(grant_for(bare, ana), bare.pk, "save_draft", {})
    assert refused.value.status == 409
    assert refused.value.errors == {
        "_": "This activity is not set up yet. Please tell the course team."
    }


def test_the_whole_loop_reads_no_column_an_action_leaves_out(activity, ana, monkeypatch, settings):
    """An action reads the activity and the learner with some columns only
    (lti.services.grants.ACTION_COLUMNS): none of its steps asks for another, which would
    cost a statement of its own. xAPI on: its statements read the most."""
    settings.KOULA_XAPI_URL = "http://127.0.0.1:9/xAPI"
    ben = make_user(activity, "ben", "Ben")
    run_action(grant_for(activity, ben), activity.pk, "submit_deliverable", {"values": CARD})
    run_action(grant_for(activity, ben), activity.pk, "share_card", {"shared": True})

    def deferred_read(instance, *args, **kwargs):
        raise AssertionError(f"{type(instance).__name__} read a column left out: {kwargs}")

    monkeypatch.setattr(Activity, "refresh_from_db", deferred_read)
    monkeypatch.setattr(LtiUser, "refresh_from_db", deferred_read)
    grant = grant_for(activity, ana)
    run_action(grant, activity.pk, "save_draft", {"part": "deliverable", "values": CARD})
    run_action(grant, activity.pk, "submit_deliverable", {"values": CARD})
    card = run_action(grant, activity.pk, "share_card", {"shared": True})
    assert card["community"]["shared"] is True
    others = [c for c in shared_cards(grant, activity.pk, {})["cards"] if c["mine"] is False]
    run_action(grant, activity.pk, "reuse_card", {"card": others[0]["id"], "reuse": True})
    run_action(grant, activity.pk, "volunteer_host", {"volunteer": True})
    run_action(grant, activity.pk, "commit_experiment", {"values": COMMITMENT})
    answer = run_action(grant, activity.pk, "submit_return", {"values": RETURN})
    assert answer["progress"]["activity"] == "Completed"
    assert StatementOutbox.objects.filter(user=ana).exists()


def test_a_page_access_opens_its_own_activity_only(activity, ana):
    other = make_activity(resource_link_id="rl-other")
    with CaptureQueriesContext(connection) as statements, pytest.raises(NotAllowed):
        run_action(grant_for(activity, ana), other.pk, "submit_deliverable", {"values": CARD})
    assert statements.captured_queries == []  # refused before any transaction (SQLite's locks)
    assert not LearnerRecord.objects.filter(activity=other).exists()


def test_the_launch_shows_the_stored_state_and_nothing_without_a_template(activity, ana):
    run_action(grant_for(activity, ana), activity.pk, "submit_deliverable", {"values": CARD})
    assert learner_state(activity, ana.pk)["progress"]["activity"] == "InProgress"
    broken = make_activity(resource_link_id="bare", template="no-such-template")
    assert learner_state(broken, ana.pk) is None
