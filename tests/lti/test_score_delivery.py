"""Scores reach the gradebook through outages and Moodle's one-second rule, end to end.

Each delivery rule (every answer a platform may give, timeouts, a worker dying mid-request,
line item creation, tokens) is tested in process against a fake platform:
tests/lti/services/test_delivery.py.
"""

from __future__ import annotations

from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of, wait_for
from koula_demo.lms import browser_session
from tests.lti.conftest import CLIENT_ID, CONFIGURED

STEPS = [("submit_deliverable", CARD), ("commit_experiment", COMMITMENT), ("submit_return", RETURN)]


def learner(platform, user: str, **kwargs):
    response = platform.launch(
        browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user=user, **kwargs
    )
    assert response.status_code == 200, response.text[:1000]
    return context_of(response)


def close_the_loop(context) -> None:
    for action, values in STEPS:
        assert act(context, action, {"values": values}).status_code == 200


def accepted(platform, user: str) -> list[dict]:
    return [s["body"] for s in platform.scores() if s["body"]["userId"] == user]


def final_grade(platform, user: str):
    for score in platform.scores():
        if score["body"]["userId"] == user:
            return platform.gradebook(score["lineitem_id"]).get(user)
    return None


def completed(platform, user: str) -> bool:
    grade = final_grade(platform, user)
    return bool(grade and grade["activityProgress"] == "Completed")


def test_three_actions_within_one_second_still_end_with_the_final_score(platform):
    context = learner(platform, "fast-learner")
    close_the_loop(context)  # well within a second: Moodle keeps one score per second
    wait_for(lambda: completed(platform, "fast-learner"))
    assert final_grade(platform, "fast-learner")["scoreGiven"] == 100


def test_scores_survive_a_platform_outage_and_arrive_once_in_order(platform):
    platform.fail_next_scores(4, status=500)
    context = learner(platform, "outage-learner")
    close_the_loop(context)
    wait_for(lambda: completed(platform, "outage-learner"))
    bodies = accepted(platform, "outage-learner")
    stamps = [b["timestamp"] for b in bodies]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    assert [b["activityProgress"] for b in bodies].count("Completed") == 1


def test_a_learner_the_platform_cannot_grade_is_reported_to_staff_not_retried(platform):
    platform.ungradable_users.add("admin-tester")
    context = learner(platform, "admin-tester")
    act(context, "submit_deliverable", {"values": CARD})
    staff = browser_session()

    def refused_in_staff_view():
        page = platform.launch(
            staff,
            client_id=CLIENT_ID,
            custom=CONFIGURED,
            user="teacher",
            roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        )
        return "HTTP 400" in page.text and page

    page = wait_for(refused_in_staff_view)
    assert "HTTP 400" in page.text
    attempts = len(
        [r for r in platform.score_requests if r.get("body", {}).get("userId") == "admin-tester"]
    )
    assert attempts == 1
