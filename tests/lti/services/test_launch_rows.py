"""The launch's activity and user read in one statement (launch_rows in
lti/services/activities.py), then used as if each had been read alone."""

from __future__ import annotations

from lti.claims import CLAIM, LaunchData
from lti.models import Activity, LtiUser
from lti.services.activities import activity_for_launch, launch_rows, launch_user
from tests.lti.in_process import make_user


def launch_of(activity: Activity, sub: str, link: str = "rl-1") -> LaunchData:
    claims = {
        "sub": sub,
        "name": "Ana",
        CLAIM["resource_link"]: {"id": link, "title": "Pair review"},
        CLAIM["custom"]: {"koula_template": "default-koula"},
    }
    return LaunchData(activity.deployment.registration_id, activity.deployment_id, claims)


def test_both_rows_are_read_in_one_statement(activity, django_assert_num_queries):
    ana = make_user(activity, "ana", "Ana")
    with django_assert_num_queries(1):
        activity_row, user_row = launch_rows(launch_of(activity, "ana"))
    assert activity_row[0] == activity.pk and user_row[0] == ana.pk


def test_a_row_not_there_yet_is_none(activity):
    assert launch_rows(launch_of(activity, "nobody yet"))[1] is None
    assert launch_rows(launch_of(activity, "nobody yet", link="a new link")) == (None, None)


def test_the_rows_read_make_the_activity_and_user_read_alone(activity):
    make_user(activity, "ana", "Ana")
    launch = launch_of(activity, "ana")
    activity_row, user_row = launch_rows(launch)
    read_together = activity_for_launch(launch, row=activity_row), launch_user(launch, row=user_row)
    read_alone = activity_for_launch(launch), launch_user(launch)
    assert read_together[0].pk == read_alone[0].pk == activity.pk
    assert read_together[0].title == read_alone[0].title
    assert read_together[1] == read_alone[1]
    assert read_together[1][1] is False  # not made by this launch


def test_rows_not_there_yet_are_made_as_a_first_launch_makes_them(activity):
    launch = launch_of(activity, "ben", link="a new link")
    activity_row, user_row = launch_rows(launch)
    made_activity = activity_for_launch(launch, row=activity_row)
    ben, new = launch_user(launch, row=user_row)
    assert made_activity.resource_link_id == "a new link" and made_activity.pk != activity.pk
    assert new and LtiUser.objects.get(pk=ben.pk).sub == "ben"
    assert Activity.objects.filter(resource_link_id="a new link").count() == 1
