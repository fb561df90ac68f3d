"""Reporting back on an earlier session's experiment from a later page
(lti/services/earlier_return.py)."""

# The fixtures of tests/lti/series_loop.py are imported by name, so tests take them again:
# ruff: noqa: F811
from __future__ import annotations

import pytest

from koula import BadRequest, Conflict, InvalidValues, LearnerState
from koula_demo.learner_calls import RETURN
from lti.models import LearnerRecord, ScoreOutbox
from lti.services.earlier_return import carried_for, run_earlier_return
from tests.lti.in_process import grant_for, make_activity
from tests.lti.series_loop import ana, committed, first, other_tenants_activity, second  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def state_in(activity, user) -> LearnerState:
    record = LearnerRecord.objects.filter(activity=activity, user=user).first()
    return LearnerState.from_data(record.state if record else None)


def report_back(page, user, body, action="submit_return") -> dict:
    return run_earlier_return(grant_for(page, user), page.pk, action, body)


def test_a_return_from_the_later_page_completes_the_earlier_activity(first, second, ana):
    committed(first, ana)
    answer = report_back(second, ana, {"values": RETURN, "session": str(first.pk)})
    assert answer["session"] == str(first.pk)
    assert answer["return"]["status"] == "submitted"
    assert answer["progress"]["activity"] == "Completed"
    assert state_in(first, ana).return_.values == RETURN
    assert not LearnerRecord.objects.filter(activity=second, user=ana).exists()


def test_the_score_goes_to_the_earlier_activitys_line_item(first, second, ana):
    committed(first, ana)
    before = ScoreOutbox.objects.filter(activity=first, user=ana).count()
    report_back(second, ana, {"values": RETURN, "session": str(first.pk)})
    scores = ScoreOutbox.objects.filter(activity=first, user=ana).order_by("pk")
    assert scores.count() == before + 1
    assert scores.last().payload["activityProgress"] == "Completed"
    assert not ScoreOutbox.objects.filter(activity=second).exists()


def test_a_draft_keeps_what_the_learner_typed_in_the_earlier_session(first, second, ana):
    committed(first, ana)
    typed = {"what_happened": "Half of it"}
    answer = report_back(
        second, ana, {"part": "return", "values": typed, "session": str(first.pk)}, "save_draft"
    )
    assert answer["return"]["status"] == "draft"
    assert state_in(first, ana).return_.draft == typed
    (carried,) = carried_for(second, ana)
    assert carried.state.return_.draft == typed


def test_a_refused_return_is_kept_as_the_earlier_sessions_draft(first, second, ana):
    committed(first, ana)
    typed = {"what_happened": "Typed, but the required answers are missing"}
    with pytest.raises(InvalidValues):
        report_back(second, ana, {"values": typed, "session": str(first.pk)})
    assert state_in(first, ana).return_.draft == typed


def test_a_session_that_is_not_earlier_is_refused(first, second, ana):
    committed(second, ana)
    with pytest.raises(BadRequest) as refused:
        report_back(first, ana, {"values": RETURN, "session": str(second.pk)})
    assert "session" in refused.value.errors
    with pytest.raises(BadRequest):
        report_back(second, ana, {"values": RETURN, "session": str(second.pk)})
    assert state_in(second, ana).return_.draft is None


def test_nothing_open_in_the_earlier_session_is_a_conflict(first, second, ana):
    with pytest.raises(Conflict):
        report_back(second, ana, {"values": RETURN, "session": str(first.pk)})
    committed(first, ana)
    report_back(second, ana, {"values": RETURN, "session": str(first.pk)})
    with pytest.raises(Conflict):
        report_back(second, ana, {"values": RETURN, "session": str(first.pk)})


@pytest.mark.parametrize("session", [None, 12, ["1"], {"id": "1"}])
def test_a_session_that_is_not_text_is_a_bad_request(first, second, ana, session):
    committed(first, ana)
    with pytest.raises(BadRequest) as refused:
        report_back(second, ana, {"values": RETURN, "session": session})
    assert list(refused.value.errors) == ["session"]


def test_only_the_return_of_an_earlier_session_takes_a_draft(first, second, ana):
    committed(first, ana)
    with pytest.raises(BadRequest) as refused:
        report_back(
            second,
            ana,
            {"part": "deliverable", "values": {}, "session": str(first.pk)},
            "save_draft",
        )
    assert list(refused.value.errors) == ["part"]


def test_another_contexts_activity_is_not_an_earlier_session(second, ana):
    elsewhere = make_activity(resource_link_id="other", context_id="course-2")
    committed(elsewhere, ana)
    with pytest.raises(BadRequest):
        report_back(second, ana, {"values": RETURN, "session": str(elsewhere.pk)})
    assert state_in(elsewhere, ana).return_.draft is None


def test_another_tenants_activity_is_not_an_earlier_session(first, second, ana):
    theirs = other_tenants_activity("course-1")
    committed(first, ana)
    with pytest.raises(BadRequest):
        report_back(second, ana, {"values": RETURN, "session": str(theirs.pk)})


def test_the_page_carries_the_open_experiment_until_it_is_reported(first, second, ana):
    assert carried_for(second, ana) == []
    committed(first, ana)
    (carried,) = carried_for(second, ana)
    assert carried.session.id == str(first.pk)
    report_back(second, ana, {"values": RETURN, "session": str(first.pk)})
    assert carried_for(second, ana) == []
