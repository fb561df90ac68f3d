"""What the staff view and the command line read of a course's series (lti/selectors/series.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from koula_demo.learner_calls import RETURN
from lti.models import Deployment, LearnerRecord
from lti.selectors.series import context_series, overdue_learners, series_reach
from lti.services.learner import run_action
from tests.lti.in_process import grant_for, make_activity
from tests.lti.views.test_staff_series import committed

pytestmark = pytest.mark.django_db


def test_the_reach_counts_the_open_experiments_of_the_whole_series_only(tool_keys):
    first = make_activity(resource_link_id="s1", context_id="course-1")
    second = make_activity(resource_link_id="s2", context_id="course-1")
    elsewhere = make_activity(resource_link_id="e1", context_id="course-2")
    committed(first, "ana", email="ana@example.test")
    committed(second, "ben", email="not an address")
    committed(elsewhere, "carla")
    reported = committed(first, "dan", email="dan@example.test")
    grant = grant_for(first, reported)
    run_action(grant, first.pk, "submit_return", {"values": RETURN})
    found = series_reach(second)
    assert (found.open, found.reachable, found.no_email, found.unsubscribed) == (2, 1, 1, 0)


def test_only_open_experiments_past_their_due_date_are_overdue(tool_keys):
    activity = make_activity()
    ana = committed(activity, "ana")
    committed(activity, "ben")
    due_on = LearnerRecord.objects.get(user=ana).state["commitment"]["due_on"]
    day = dt.date.fromisoformat(due_on)
    assert overdue_learners(activity, today=day) == 0
    assert overdue_learners(activity, today=day + dt.timedelta(days=1)) == 2


def test_a_context_in_two_deployments_is_narrowed_by_deployment(tool_keys):
    first = make_activity(resource_link_id="s1", context_id="course-1")
    make_activity(resource_link_id="s2", context_id="course-1")
    other = Deployment.objects.create(
        registration=first.deployment.registration, deployment_id="deployment-2"
    )
    third = make_activity(resource_link_id="s3", context_id="course-1")
    third.deployment = other
    third.save()
    make_activity(resource_link_id="unset", context_id="course-3", template=None)
    assert len(context_series("course-1")) == 2
    assert context_series("course-1", deployment_id="deployment-1") == [first]
    assert context_series("course-3") == []
