"""Staff launches: first-launch configuration, settings, score delivery status, roster."""

from __future__ import annotations

from koula_demo.learner_calls import CARD, act, context_of, wait_for
from koula_demo.lms import browser_session
from koula_demo.lms.constants import ROLE_INSTRUCTOR
from tests.lti.conftest import CLIENT_ID, CONFIGURED
from tests.lti.forms import submit_form

STAFF_ROLES = {
    "Instructor": ROLE_INSTRUCTOR,
    "Administrator": "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
    "ContentDeveloper": "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
    "TeachingAssistant": "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
}  # a Mentor is not staff: tests/lti/test_roles.py


def test_a_learner_sees_a_clear_page_when_the_activity_is_not_set_up(platform):
    page = platform.launch(browser_session(), client_id=CLIENT_ID, resource_link_id="bare-1")
    assert page.status_code == 200
    assert "not set up yet" in page.text
    assert "koula-context" not in page.text


def test_staff_set_up_a_bare_link_at_first_launch_and_learners_get_it(platform):
    session = browser_session()
    setup = platform.launch(
        session, client_id=CLIENT_ID, resource_link_id="bare-2", roles=[ROLE_INSTRUCTOR]
    )
    assert "Set up this Koula activity" in setup.text
    staff = submit_form(session, setup, template_id="after-action-review")
    assert staff.status_code == 200
    assert "staff view" in staff.text
    learner = platform.launch(browser_session(), client_id=CLIENT_ID, resource_link_id="bare-2")
    assert "After Action Review" in context_of(learner)["display_name"] or (
        "After Action Review" in learner.text
    )


def test_every_staff_role_gets_the_staff_view(platform):
    for name, role in STAFF_ROLES.items():
        page = platform.launch(
            browser_session(),
            client_id=CLIENT_ID,
            custom=CONFIGURED,
            roles=[role],
            user=f"staff-{name}",
        )
        assert "staff view" in page.text, name
        assert 'id="koula-context"' not in page.text, name


def test_the_staff_view_counts_who_has_not_started_from_the_roster(platform):
    members = platform.members["course-1"]
    learners = [
        m["user_id"] for m in members if not any("Instructor" in r for r in m.get("roles", []))
    ]
    context = context_of(
        platform.launch(browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user=learners[0])
    )
    act(context, "submit_deliverable", {"values": CARD})
    staff = platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        roles=[ROLE_INSTRUCTOR],
        user="teacher-roster",
    )
    assert (
        f"{len(learners)} learner(s) in the course: 1 started, {len(learners) - 1} not started yet"
    ) in staff.text


def test_the_staff_view_shows_scores_delivered(platform):
    context = context_of(
        platform.launch(
            browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user="delivered-learner"
        )
    )
    act(context, "submit_deliverable", {"values": CARD})
    wait_for(lambda: platform.scores())

    def delivered_row():
        page = platform.launch(
            browser_session(),
            client_id=CLIENT_ID,
            custom=CONFIGURED,
            roles=[ROLE_INSTRUCTOR],
            user="teacher-scores",
        )
        return "<td>Delivered</td><td>1</td>" in page.text.replace("\n", "")

    wait_for(delivered_row)
