"""A course's series in the tool (lti/services/series.py): the activities of one context."""
# ruff: noqa: F811 - the fixtures of tests/lti/series_loop.py are test arguments

from __future__ import annotations

import datetime as dt

import pytest

from koula import carried_over, series_report
from koula_demo.learner_calls import COMMITMENT
from lti.services.series import ActivitySeries
from tests.lti.in_process import committed, make_activity, make_user
from tests.lti.series_loop import first, second  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_the_series_is_the_configured_activities_of_one_deployment_and_context(first, second):
    make_activity(resource_link_id="elsewhere", context_id="course-2")
    make_activity(resource_link_id="unset", context_id="course-1", template=None)
    ids = sorted(session.id for session in ActivitySeries(second).sessions())
    assert ids == sorted([str(first.pk), str(second.pk)])


def test_an_activity_without_a_context_is_a_series_of_one(first):
    alone = make_activity(resource_link_id="alone", context_id="")
    assert [s.id for s in ActivitySeries(alone).sessions()] == [str(alone.pk)]


def test_the_session_date_staff_set_orders_the_series(first, second):
    first.session_date, second.session_date = dt.date(2026, 3, 16), dt.date(2026, 3, 2)
    first.save()
    second.save()
    report = series_report(ActivitySeries(first))
    assert [row.session.id for row in report.sessions] == [str(second.pk), str(first.pk)]


def test_a_learners_open_experiment_is_carried_to_the_next_session(first, second):
    ana = make_user(first, "ana", "Ana")
    committed(first, ana)
    (carried,) = carried_over(ActivitySeries(second), learner_id="ana", session_id=str(second.pk))
    assert carried.session.id == str(first.pk)
    assert carried.what == COMMITMENT["action"]
    assert carried_over(ActivitySeries(first), learner_id="ana", session_id=str(first.pk)) == []
