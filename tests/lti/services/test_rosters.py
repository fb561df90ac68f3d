"""The staff view's roster read (lti/services/rosters.py over lti/nrps.py): every page, only
on trusted origins, cached, and never more reads at once than there are slots."""

from __future__ import annotations

import threading

import pytest

from lti.services import rosters
from lti.services.rosters import activity_roster
from tests.lti.in_process import ISSUER, make_activity
from tests.lti.services.fake_platform import FakePlatform

pytestmark = pytest.mark.django_db
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


@pytest.fixture
def platform() -> FakePlatform:
    members = [
        {"user_id": f"learner-{n}", "roles": [LEARNER], "name": f"Learner {n}", "email": "x@y"}
        for n in range(5)
    ]
    return FakePlatform(members=[*members, {"user_id": "teacher", "roles": [INSTRUCTOR]}])


@pytest.fixture
def activity(tool_keys):
    return make_activity(memberships_url=f"{ISSUER}/memberships")


def read(activity, platform):
    return activity_roster(activity, activity.deployment.registration, transport=platform)


def test_the_roster_is_read_page_by_page_keeping_only_ids_roles_and_names(activity, platform):
    platform.pages = 3
    members = read(activity, platform)
    assert [m["user_id"] for m in members] == [f"learner-{n}" for n in range(5)] + ["teacher"]
    # the name, for the report and CSV; no e-mail or anything else is kept
    assert all(set(m) == {"user_id", "roles", "name"} for m in members)
    assert len(platform.requests_to(r"^/memberships")) == 3
    (first, *_) = platform.requests_to(r"^/memberships")
    assert first.headers["Accept"] == "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def test_a_roster_read_is_kept_a_while_so_staff_views_do_not_ask_again(activity, platform):
    assert read(activity, platform) == read(activity, platform)
    assert len(platform.requests_to(r"^/memberships")) == 1
    assert len(platform.tokens) == 1


def test_a_roster_that_cannot_be_read_is_remembered_too(platform):
    broken = make_activity(resource_link_id="broken", memberships_url=f"{ISSUER}/nowhere")
    assert read(broken, platform) is None  # the platform answers 404
    assert read(broken, platform) is None
    assert len(platform.requests_to(r"^/nowhere")) == 1


def test_a_roster_on_an_origin_the_registration_does_not_trust_is_never_asked(platform):
    elsewhere = make_activity(
        resource_link_id="elsewhere", memberships_url="https://intranet.example.test/members"
    )
    assert read(elsewhere, platform) is None
    assert platform.sent == []


def test_a_link_without_a_roster_reads_nothing(platform):
    assert read(make_activity(resource_link_id="no-roster"), platform) is None
    assert platform.sent == []


def test_a_staff_view_that_finds_every_roster_slot_busy_reads_none(activity, platform, monkeypatch):
    busy = threading.BoundedSemaphore(1)
    busy.acquire()
    monkeypatch.setattr(rosters, "_slots", busy)
    assert read(activity, platform) is None
    assert platform.sent == []
