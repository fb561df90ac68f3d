"""Which page each role set gets, launched through a real platform (docs/lti.md, "Roles").

Staff: course Instructor, TeachingAssistant, ContentDeveloper and Administrator (full URIs,
sub-roles and short forms) and system or institution Administrator. A Learner with no staff
role gets the learner page whatever else they are. A Mentor alone gets a read-only page with
the progress of the learners its ``role_scope_mentor`` claim names, and nothing of anyone else.
"""

from __future__ import annotations

import pytest

from koula_demo.learner_calls import CARD, COMMITMENT, act, context_of
from koula_demo.lms import browser_session
from koula_demo.lms.constants import DEEP_LINKING_REQUEST
from tests.lti.conftest import CLIENT_ID, CONFIGURED

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
MENTOR = LIS + "membership#Mentor"
INSTITUTION_INSTRUCTOR = LIS + "institution/person#Instructor"
SCOPE_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor"

STAFF = {
    "course Instructor": [LIS + "membership#Instructor"],
    "short Instructor": ["Instructor"],
    "TeachingAssistant sub-role": [LIS + "membership/Instructor#TeachingAssistant"],
    "TeachingAssistant as a role": [LIS + "membership#TeachingAssistant"],
    "ContentDeveloper": [LIS + "membership#ContentDeveloper"],
    "course Administrator": [LIS + "membership#Administrator"],
    "institution Administrator": [LIS + "institution/person#Administrator"],
    "system Administrator": [LIS + "system/person#Administrator"],
    "system SysAdmin": [LIS + "system/person#SysAdmin"],
    "LTI 1.1 Instructor": ["urn:lti:role:ims/lis/Instructor"],
}
LEARNERS = {
    "Learner and Mentor": [LEARNER, MENTOR],
    "institution Instructor who is a Learner here": [INSTITUTION_INSTRUCTOR, LEARNER],
    "institution Instructor alone": [INSTITUTION_INSTRUCTOR],
    "a Learner whose sub-role's last word is Instructor": [LIS + "membership/Learner#Instructor"],
}


def launch(platform, roles, *, link, user, **kwargs):
    response = platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        roles=roles,
        resource_link_id=link,
        user=user,
        **kwargs,
    )
    assert response.status_code == 200, response.text[:1000]
    return response


def is_staff_view(page) -> bool:
    return "You are seeing the staff view" in page.text  # the staff page's first note


def is_learner_page(page) -> bool:
    return 'id="koula-context"' in page.text and not is_staff_view(page)


@pytest.mark.parametrize("case", list(STAFF), ids=list(STAFF))
def test_every_staff_role_gets_the_staff_view(platform, case):
    page = launch(platform, STAFF[case], link="roles-staff", user=f"staff-{case}".replace(" ", "-"))
    assert is_staff_view(page), case


@pytest.mark.parametrize("case", list(LEARNERS), ids=list(LEARNERS))
def test_a_learner_without_a_staff_role_gets_the_learner_page(platform, case):
    page = launch(platform, LEARNERS[case], link="roles-learner", user="learner-roles")
    assert is_learner_page(page), case


@pytest.mark.parametrize("scope", ["no claim", "an empty claim"])
def test_a_mentor_without_learners_gets_a_page_saying_there_is_nothing_for_its_role(
    platform, scope
):
    learner = context_of(launch(platform, [LEARNER], link="roles-empty", user="ada-someone"))
    assert act(learner, "submit_deliverable", {"values": CARD}).status_code == 200
    claims = {SCOPE_CLAIM: []} if scope == "an empty claim" else {}
    page = launch(platform, [MENTOR], link="roles-empty", user="mentor-1", extra_claims=claims)
    assert "There is nothing for your role in this activity" in page.text
    assert not is_staff_view(page) and "koula-context" not in page.text
    assert "Ada Someone" not in page.text and "ada-someone" not in page.text
    assert CARD["problem"] not in page.text


def test_a_mentor_sees_the_progress_of_the_learners_it_follows_and_nothing_of_anyone_else(
    platform,
):
    link = "roles-mentor"
    followed = context_of(launch(platform, [LEARNER], link=link, user="followed-child"))
    assert act(followed, "submit_deliverable", {"values": CARD}).status_code == 200
    assert act(followed, "commit_experiment", {"values": COMMITMENT}).status_code == 200
    other = context_of(launch(platform, [LEARNER], link=link, user="other-child"))
    assert act(other, "submit_deliverable", {"values": CARD}).status_code == 200
    elsewhere = context_of(launch(platform, [LEARNER], link="roles-elsewhere", user="away-child"))
    assert act(elsewhere, "submit_deliverable", {"values": CARD}).status_code == 200

    scope = {SCOPE_CLAIM: ["followed-child", "away-child", "never-launched"]}
    page = launch(platform, [MENTOR], link=link, user="parent-1", extra_claims=scope)

    text = page.text
    assert "Progress of the learners you follow" in text
    row = text[text.index('<th scope="row">Followed Child</th>') :].split("</tr>")[0]
    assert "Submitted" in row and "Committed" in row and "67%" in row
    assert "<time datetime=" in row  # when the card was submitted, and when the return is due
    assert "Learners you follow who have not started this activity yet: 2 of 3." in text
    for outsider in ("Other Child", "other-child", "Away Child", "away-child"):
        assert outsider not in text
    for answer in (*CARD.values(), COMMITMENT["action"], COMMITMENT["success_signal"]):
        assert str(answer) not in text
    assert '<th scope="col">' in text and "<caption>" in text
    assert "<form" not in text and "koula-context" not in text and not is_staff_view(page)


def test_the_mentor_page_speaks_the_launchs_language(platform):
    page = launch(
        platform,
        [MENTOR],
        link="roles-french",
        user="parent-fr",
        locale="fr",
        extra_claims={SCOPE_CLAIM: ["nobody-yet"]},
    )
    assert '<html lang="fr">' in page.text
    assert "Vous voyez la progression des apprenants que vous suivez" in page.text
    assert "Apprenants que vous suivez qui n'ont pas encore commencé" in page.text


def test_a_mentor_cannot_add_activities_by_deep_linking(platform):
    response = platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        roles=[MENTOR],
        message_type=DEEP_LINKING_REQUEST,
        resource_link_id=None,
        user="parent-picker",
    )
    assert response.status_code == 403
    assert "Only course staff can add activities" in response.text
