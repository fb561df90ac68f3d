"""The community's card library and the host hand-over, over HTTP against a real platform."""

from __future__ import annotations

import re

import requests

from koula_demo.learner_calls import CARD, COMMITMENT, act, context_of
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


def test_learners_browse_the_shared_cards_and_never_see_unshared_cards_or_experiments(platform):
    ana = with_card(platform, "card-ana", "Pair review")
    assert act(ana, "commit_experiment", {"values": COMMITMENT}).status_code == 200
    with_card(platform, "card-ben", "Hidden practice", share=False)
    page = cards(learner(platform, "card-carla"))
    assert [(c["title"], c["author"], c["mine"]) for c in page["cards"]] == [
        ("Pair review", "Card Ana", False)
    ]
    text = str(page)
    assert "Hidden practice" not in text and COMMITMENT["action"] not in text
    assert "card-ana" not in text  # the platform's user id is not given away


def test_sharing_needs_a_submitted_card_and_can_be_withdrawn(platform):
    context = learner(platform, "card-early")
    assert act(context, "share_card", {"shared": True}).status_code == 409
    assert act(context, "share_card", {"shared": "yes"}).status_code == 400
    ana = with_card(platform, "card-early", "Early card")
    assert act(ana, "share_card", {"shared": False}).json()["community"]["shared"] is False
    assert cards(ana)["shared"] == 0


def test_i_will_use_this_counts_reuse_but_not_on_ones_own_card(platform):
    ana = with_card(platform, "reuse-ana", "Pair review")
    card = cards(ana)["cards"][0]["id"]
    ben = learner(platform, "reuse-ben")
    marked = act(ben, "reuse_card", {"card": card, "reuse": True})
    assert marked.status_code == 200 and marked.json()["community"]["will_use"] == [card]
    assert cards(ben)["cards"][0]["reuses"] == 1
    assert act(ana, "reuse_card", {"card": card, "reuse": True}).status_code == 409
    assert act(ben, "reuse_card", {"card": "feedfacefeedface", "reuse": True}).status_code == 409


def test_learners_search_the_shared_cards(platform):
    with_card(platform, "search-ana", "Pair review")
    with_card(platform, "search-ben", "Café débrief")
    reader = learner(platform, "search-carla")
    assert [c["title"] for c in cards(reader, {"query": "CAFE"})["cards"]] == ["Café débrief"]
    assert act(reader, "shared_cards", {"query": ["x"]}).status_code == 400


def test_cards_and_tokens_stay_inside_their_activity(platform):
    other = with_card(platform, "tenant-ana", "Other activity card", link="rl-other")
    card = cards(other)["cards"][0]["id"]
    here = learner(platform, "tenant-ben")
    assert act(here, "reuse_card", {"card": card, "reuse": True}).status_code == 409
    assert "Other activity card" not in str(cards(here))
    foreign = requests.post(
        here["api"].rsplit("/", 1)[0] + "/" + other["api"].rsplit("/", 1)[1] + "/shared_cards",
        json={},
        timeout=10,
        headers={"Authorization": f"Bearer {here['token']}"},
    )
    assert foreign.status_code == 403


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


def test_a_typed_name_finds_its_participant_whatever_the_case_of_its_accents(platform, tool):
    """The same scenario as the XBlock's (tests/xblock/test_community.py): Unicode case folding."""
    assert act(learner(platform, "élodie-host"), "volunteer_host", {"volunteer": True}).ok
    assert act(learner(platform, "ben-host"), "volunteer_host", {"volunteer": True}).ok
    assert hand_over(platform, tool, "  élodie   HOST ").status_code == 200
    page = launch(platform, "élodie-host")
    assert "koula-runsheet" in page.text and "data-koula-next-host" in page.text
    host = context_of(
        platform.launch(
            browser_session(),
            client_id=CLIENT_ID,
            custom=CONFIGURED,
            user="élodie-host",
            resource_link_id=LINK,
            locale="fr",
        )
    )
    answer = act(host, "assign_host", {"next_host": "BEN HOST"})
    assert answer.json() == {"next_host": "Ben Host", "message": "Le prochain hôte est enregistré."}
    refused = act(host, "assign_host", {"next_host": "Élodie Host"})
    assert refused.status_code == 403
    assert refused.json()["errors"]["_"].startswith("Seuls l’équipe pédagogique")
