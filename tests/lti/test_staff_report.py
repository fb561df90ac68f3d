"""The staff launch shows the host's run-sheet and the impact report, with drill-down."""

from __future__ import annotations

import html
import re

import requests

from koula.library import get_template
from koula_demo.learner_calls import CARD, COMMITMENT, RETURN, act, context_of
from koula_demo.lms import browser_session
from koula_demo.lms.constants import ROLE_INSTRUCTOR
from koula_ui.assets import hashed_name
from tests.lti.conftest import CLIENT_ID, CONFIGURED
from tests.lti.report_links import detail_link, report_access, staff_get

LINK = "rl-report"


def learner(platform, user):
    return context_of(
        platform.launch(
            browser_session(),
            client_id=CLIENT_ID,
            custom=CONFIGURED,
            user=user,
            resource_link_id=LINK,
        )
    )


def staff(platform):
    return platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        roles=[ROLE_INSTRUCTOR],
        user="teacher-report",
        resource_link_id=LINK,
    )


def test_the_staff_view_carries_the_run_sheet_with_host_notes_and_timers(platform):
    page = staff(platform)
    assert 'class="koula-staff koula-runsheet"' in page.text
    first = get_template("default-koula").phases[0]
    assert first.host_notes.get("en").splitlines()[0].lstrip("- ")[:40] in page.text
    assert f"/lti/static/{hashed_name('koula-staff.js')}" in page.text  # cached a year


def test_the_impact_report_counts_the_loop_and_links_each_learner(platform):
    done = learner(platform, "report-1")
    for action, values in [
        ("submit_deliverable", CARD),
        ("commit_experiment", COMMITMENT),
        ("submit_return", {**RETURN, "blockers": ["No time!"]}),
    ]:
        assert act(done, action, {"values": values}).status_code == 200
    started = learner(platform, "report-2")
    assert act(started, "submit_deliverable", {"values": CARD}).status_code == 200
    page = staff(platform)
    assert 'class="koula-staff koula-report"' in page.text
    assert "No time!" in page.text
    assert page.text.count('role="img"') >= 3
    detail = staff_get(report_access(page), detail_link(page, "report-1") + "?fragment=1")
    assert detail.status_code == 200
    assert "We did it twice." in detail.text


def test_a_forged_drill_down_link_is_refused(platform):
    access = report_access(staff(platform))
    forged = access["learners"].replace("/learners/", "x/learners/") + "report-1"
    assert staff_get(access, forged).status_code == 403


def test_a_learner_offers_to_host_and_staff_see_the_volunteer(platform):
    context = learner(platform, "keen-host")
    answer = act(context, "volunteer_host", {"volunteer": True})
    assert answer.status_code == 200
    assert answer.json()["host"]["volunteered"] is True
    assert act(context, "volunteer_host", {"volunteer": "yes"}).status_code == 400
    volunteers = re.search(r'data-role="volunteers">([^<]*)<', staff(platform).text).group(1)
    assert volunteers.strip() not in ("", "No volunteer yet")


def test_staff_confirm_the_next_host_and_learners_see_who_it_is(platform, tool):
    page = staff(platform)
    form = page.text.split('action="' + tool.url + '/lti/next-host"')[1]
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    saved = requests.post(
        f"{tool.url}/lti/next-host",
        timeout=10,
        data={"token": token, "next_host": "  Ana   Costa "},
    )
    assert saved.status_code == 200
    assert 'value="Ana Costa"' in saved.text
    context = learner(platform, "sees-next-host")
    assert context["next_host"] == "Ana Costa"
    forged = requests.post(
        f"{tool.url}/lti/next-host", timeout=10, data={"token": token + "x", "next_host": "Mallory"}
    )
    assert forged.status_code == 403


def test_every_count_of_who_has_not_started_uses_the_roster_the_answers_page_too(platform):
    # The course's roster (NRPS): learner-1, learner-2 and learner-3; learner-1 starts.
    assert act(learner(platform, "learner-1"), "submit_deliverable", {"values": CARD}).ok
    page = staff(platform)
    text = html.unescape(page.text)
    assert "3 learner(s) in the course: 1 started, 2 not started yet." in text
    assert re.search(r"Not started yet \(from the roster\)</dt><dd>2 of 3", text)
    assert re.search(r'<th scope="row">Not started</th><td[^>]*>2</td>', text)
    assert 'data-learner="learner-2"' in text  # listed, though not started
    answers = staff_get(report_access(page), detail_link(page, "learner-1"))
    assert answers.status_code == 200
    shown = html.unescape(answers.text)
    assert "Answers of Learner 1" in shown
    assert re.search(r"Not started yet \(from the roster\)</dt><dd>2 of 3", shown)
    assert re.search(r'<th scope="row">Not started</th><td[^>]*>2</td>', shown)
