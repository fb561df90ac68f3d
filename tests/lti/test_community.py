"""The community's card library and the host hand-over, over HTTP against a real platform.

Each flow end to end: cards shared, reused and reported to staff, and a host chosen by staff
who hands over. The rules (who sees which card, search, reuse, who may hand over, matching
a typed name) are tested in process: tests/lti/services/test_community.py.
"""

from __future__ import annotations

import re

import requests

from koula_demo.learner_calls import CARD, act, context_of
from koula_demo.lms import browser_session
from koula_demo.lms.constants import ROLE_INSTRUCTOR
from tests.lti.conftest import CLIENT_ID, CONFIGURED

LINK = "rl-community"


def launch(platform, user, link=LINK):
    return platform.launch(
        browser_session(), client_id=CLIENT_ID, custom=CONFIGURED, user=user, resource_link_id=link
    )


def learner(platform, user, link=LINK):
    return context_of(launch(platform, user, link))


def staff(platform, link=LINK):
    return platform.launch(
        browser_session(),
        client_id=CLIENT_ID,
        custom=CONFIGURED,
        roles=[ROLE_INSTRUCTOR],
        user="teacher-community",
        resource_link_id=link,
    )


def with_card(platform, user, practice, *, share=True, link=LINK):
    context = learner(platform, user, link)
    assert act(context, "submit_deliverable", {"values": {**CARD, "practice_name": practice}}).ok
    if share:
        assert act(context, "share_card", {"shared": True}).status_code == 200
    return context


def cards(context, body=None):
    answer = act(context, "shared_cards", body or {})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_report_shows_shared_cards_their_reuse_and_the_host_rotation(platform):
    ana = with_card(platform, "report-ana", "Pair review")
    with_card(platform, "report-ben", "Kept to myself", share=False)
    card = cards(ana)["cards"][0]["id"]
    assert act(learner(platform, "report-carla"), "reuse_card", {"card": card, "reuse": True}).ok
    page = staff(platform).text
    community = page.split('data-section="community"')[1].split("</section>")[0]
    assert "Pair review" in community and "Report Ana" in community
    assert "Kept to myself" not in community
    assert 'data-section="rotation"' in page


def hand_over(platform, tool, name):
    form = staff(platform).text.split('action="' + tool.url + '/lti/next-host"')[1]
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    return requests.post(
        f"{tool.url}/lti/next-host", timeout=10, data={"token": token, "next_host": name}
    )


def test_the_learner_chosen_as_host_gets_the_run_sheet_and_hands_over(platform, tool):
    assert act(learner(platform, "host-ana"), "volunteer_host", {"volunteer": True}).ok
    assert "koula-runsheet" not in launch(platform, "host-ana").text
    assert hand_over(platform, tool, "host ana").status_code == 200  # linked despite the case
    page = launch(platform, "host-ana")
    assert "koula-runsheet" in page.text and "data-koula-next-host" in page.text
    assert "koula-report" not in page.text
    context = context_of(page)
    bystander = learner(platform, "host-ben")
    assert act(bystander, "volunteer_host", {"volunteer": True}).ok
    assert act(bystander, "assign_host", {"next_host": "Host Ben"}).status_code == 403
    assert act(context, "assign_host", {"next_host": "  "}).status_code == 400
    answer = act(context, "assign_host", {"next_host": "Host Ben"})
    assert answer.status_code == 200 and answer.json()["next_host"] == "Host Ben"
    assert "koula-runsheet" in launch(platform, "host-ben").text
    assert act(context, "assign_host", {"next_host": "Host Ana"}).status_code == 403
    rotation = staff(platform).text.split('data-section="rotation"')[1].split("</section>")[0]
    assert "Host Ana, from" in rotation and "Host Ben, from" in rotation


def test_a_blank_hand_over_is_refused_with_the_name_kept_in_the_form(platform, tool):
    refused = hand_over(platform, tool, "   ")
    assert refused.status_code == 400
    assert 'id="next-host-error"' in refused.text
