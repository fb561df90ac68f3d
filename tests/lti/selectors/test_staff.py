"""The staff view's figures (lti/selectors/staff.py)."""

from __future__ import annotations

import pytest

from koula_demo.learner_calls import CARD
from lti.models import ScoreOutbox
from lti.selectors.staff import (
    LearnerCounts,
    delivery_problems,
    learner_counts,
    roster_learners,
    score_counts,
    service_refusals,
)
from lti.services.learner import run_action
from tests.lti.in_process import ISSUER, grant_for, make_activity, make_user
from tests.lti.services.fake_platform import FakePlatform

pytestmark = pytest.mark.django_db
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"


@pytest.fixture
def activity(tool_keys):
    return make_activity(memberships_url=f"{ISSUER}/memberships")


def started(activity, sub: str, name: str = ""):
    user = make_user(activity, sub, name)
    run_action(grant_for(activity, user), activity.pk, "submit_deliverable", {"values": CARD})
    return user


def test_scores_are_counted_in_every_status_zero_included(activity):
    for sub in ("ana", "ben", "carla"):
        started(activity, sub)
    ScoreOutbox.objects.filter(user__sub="ana").update(status=ScoreOutbox.Status.DELIVERED)
    ScoreOutbox.objects.filter(user__sub="ben").update(status=ScoreOutbox.Status.REFUSED)
    assert score_counts(activity) == {"pending": 1, "delivered": 1, "superseded": 0, "refused": 1}


def test_the_problems_are_refused_scores_and_waiting_ones_that_failed(activity):
    started(activity, "ana", "Ana")
    started(activity, "ben")
    started(activity, "carla", "Carla")
    ScoreOutbox.objects.filter(user__sub="ana").update(
        status=ScoreOutbox.Status.REFUSED, last_error="HTTP 400: cannot grade", attempts=1
    )
    ScoreOutbox.objects.filter(user__sub="ben").update(last_error="HTTP 500: down", attempts=3)
    problems = [(p.learner, p.status, p.attempts, p.error) for p in delivery_problems(activity)]
    assert problems == [
        ("Ana", "refused", 1, "HTTP 400: cannot grade"),
        ("ben", "pending", 3, "HTTP 500: down"),  # no name: the platform's user id
    ]
    assert len(delivery_problems(activity, limit=1)) == 1


def test_who_has_not_started_is_counted_against_the_rosters_learners(activity):
    platform = FakePlatform(
        members=[
            {"user_id": "ana", "roles": [f"{MEMBERSHIP}#Learner"]},
            {"user_id": "ben", "roles": [f"{MEMBERSHIP}#Learner"]},
            {"user_id": "carla", "roles": [f"{MEMBERSHIP}#Learner"]},
            {"user_id": "teacher", "roles": [f"{MEMBERSHIP}#Instructor"]},
            {"user_id": "ta", "roles": [f"{MEMBERSHIP}/Instructor#TeachingAssistant"]},
            {"user_id": "parent", "roles": [f"{MEMBERSHIP}#Mentor"]},  # an observer
            {"user_id": "tutor", "roles": [f"{MEMBERSHIP}#Mentor", f"{MEMBERSHIP}#Learner"]},
        ]
    )
    started(activity, "ana")
    started(activity, "teacher")  # staff who tried the activity are not learners of the course
    learners = roster_learners(activity, transport=platform)
    assert learners == {"ana", "ben", "carla", "tutor"}  # a Mentor who is also a Learner counts
    counts = learner_counts(activity, learners)
    assert counts == LearnerCounts(started=2, roster="read", in_course=4, started_in_course=1)
    assert counts.waiting == 3


def test_without_a_roster_the_figures_say_whether_the_launch_offered_one(tool_keys):
    unreadable = make_activity(resource_link_id="roster-down", memberships_url=f"{ISSUER}/down")
    started(unreadable, "ana")
    learners = roster_learners(unreadable, transport=FakePlatform())  # it answers 404
    assert learners is None
    assert learner_counts(unreadable, learners) == LearnerCounts(started=1, roster="unread")
    bare = make_activity(resource_link_id="no-roster")
    assert learner_counts(bare, roster_learners(bare)) == LearnerCounts(started=0, roster="none")


def test_refused_service_urls_name_their_origin_and_the_registration(activity):
    elsewhere = make_activity(
        resource_link_id="elsewhere",
        lineitem_url="https://intranet.example.test:8443/lineitems/1",
        memberships_url="ftp://lms.example.test/members",
    )
    refusals = [(r.service, r.url, r.origin, r.client_id) for r in service_refusals(elsewhere)]
    assert refusals == [
        (
            "AGS line item",
            "https://intranet.example.test:8443/lineitems/1",
            "https://intranet.example.test:8443",
            "koula-client",
        ),
        ("NRPS roster", "ftp://lms.example.test/members", None, "koula-client"),
    ]
    assert service_refusals(activity) == []
