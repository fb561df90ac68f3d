"""A learner's rows in an activity's series, read for their page in one statement
(lti/services/series.py learner_records), and the carried experiments they spare reading
(lti/services/earlier_return.py carried_for)."""

# The fixtures of tests/lti/series_loop.py are imported by name, so tests take them again:
# ruff: noqa: F811
from __future__ import annotations

import pytest

from koula_demo.learner_calls import CARD
from lti.models import Activity, LearnerRecord
from lti.services.earlier_return import carried_for
from lti.services.learner import run_action
from lti.services.series import ActivitySeries, learner_records
from tests.lti.in_process import grant_for, make_activity, make_user
from tests.lti.series_loop import ana, committed, first, other_tenants_activity, second  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_before_any_action_the_learner_has_no_rows(first, second, ana):
    found = learner_records(second, ana)
    assert (found.own, found.others) == (None, {})


def test_the_own_record_and_the_other_sessions_states_are_read(first, second, ana):
    committed(first, ana)
    run_action(grant_for(second, ana), second.pk, "submit_deliverable", {"values": CARD})
    found = learner_records(second, ana)
    assert found.own == LearnerRecord.objects.get(activity=second, user=ana)
    assert found.own.state == LearnerRecord.objects.get(activity=second, user=ana).state
    assert list(found.others) == [first.pk]
    assert found.others[first.pk]["commitment"]["values"]


def test_rows_outside_the_series_are_not_read(first, second, ana):
    committed(first, ana)
    other_course = make_activity(resource_link_id="s3", context_id="course-2")
    unconfigured = make_activity(resource_link_id="s4", context_id="course-1", template=None)
    for activity in (other_course, unconfigured):
        LearnerRecord.objects.create(activity=activity, user=ana, state={"x": 1})
    assert list(learner_records(second, ana).others) == [first.pk]


def test_another_tenants_course_of_the_same_id_is_not_read(first, ana):
    theirs = other_tenants_activity("course-1")
    LearnerRecord.objects.create(activity=theirs, user=ana, state={"x": 1})
    assert learner_records(first, ana).others == {}


def test_an_activity_without_a_course_is_a_series_of_its_own(first, ana):
    alone = make_activity(resource_link_id="s5", context_id="")
    committed(first, ana)
    committed(alone, ana)
    found = learner_records(alone, ana)
    assert found.own is not None and found.others == {}


def test_without_an_open_experiment_elsewhere_the_series_is_not_read(
    first, second, ana, monkeypatch
):
    run_action(grant_for(first, ana), first.pk, "submit_deliverable", {"values": CARD})

    def unread(self, activity, **kw):
        raise AssertionError("the series was read")

    monkeypatch.setattr(ActivitySeries, "__init__", unread)
    assert carried_for(second, ana, records=learner_records(second, ana)) == []


def test_with_an_open_experiment_the_records_give_what_the_series_gives(first, second, ana):
    committed(first, ana)
    given = carried_for(second, ana, records=learner_records(second, ana))
    assert [carried.session.id for carried in given] == [str(first.pk)]
    assert given == carried_for(second, ana)


def test_a_learner_of_the_same_sub_elsewhere_is_another_learner(first, second, ana):
    committed(first, ana)
    theirs = other_tenants_activity("course-1")
    namesake = make_user(theirs, "ana", "Ana elsewhere")
    assert learner_records(second, namesake).others == {}
    assert Activity.objects.filter(context_id="course-1").count() == 3
