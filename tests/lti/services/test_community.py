"""The card library and the host hand-over in the LTI tool (lti/services/community.py).

The rules are the core's (tests/unit/use_cases/); these tests check the tool's side: what
its port reads from the database (which records, in how many queries), that the learner
API's calls stay inside the page's activity, and the answers the learner API gives.
"""

from __future__ import annotations

import pytest

from koula import Among, BadRequest, InvalidValues, NotPermitted, NotSetUp, OutOfOrder
from koula_demo.learner_calls import CARD, COMMITMENT
from lti.errors import NotAllowed
from lti.models import Activity
from lti.services.community import (
    ActivityRecords,
    activity_volunteers,
    assign_host,
    assign_next_host,
    is_current_host,
    shared_cards,
)
from lti.services.learner import run_action
from tests.lti.in_process import grant_for, make_activity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    return make_activity()


def learner(activity, sub: str, name: str = ""):
    return make_user(activity, sub, name or sub.replace("-", " ").title())


def act(activity, user, action: str, body: dict) -> dict:
    return run_action(grant_for(activity, user), activity.pk, action, body)


def with_card(activity, sub: str, practice: str, *, share: bool = True):
    user = learner(activity, sub)
    act(activity, user, "submit_deliverable", {"values": {**CARD, "practice_name": practice}})
    if share:
        act(activity, user, "share_card", {"shared": True})
    return user


def cards(activity, user, body: dict | None = None) -> dict:
    return shared_cards(grant_for(activity, user), activity.pk, body or {})


def test_learners_see_the_shared_cards_only_and_never_an_experiment_or_a_user_id(activity):
    ana = with_card(activity, "card-ana", "Pair review")
    act(activity, ana, "commit_experiment", {"values": COMMITMENT})
    with_card(activity, "card-ben", "Hidden practice", share=False)
    page = cards(activity, learner(activity, "card-carla"))
    assert [(c["title"], c["author"], c["mine"]) for c in page["cards"]] == [
        ("Pair review", "Card Ana", False)
    ]
    text = str(page)
    assert "Hidden practice" not in text and COMMITMENT["action"] not in text
    assert "card-ana" not in text


def test_sharing_needs_a_submitted_card_and_can_be_withdrawn(activity):
    early = learner(activity, "card-early")
    with pytest.raises(OutOfOrder):
        act(activity, early, "share_card", {"shared": True})
    with pytest.raises(InvalidValues):
        act(activity, early, "share_card", {"shared": "yes"})
    ana = with_card(activity, "card-ana", "Early card")
    assert act(activity, ana, "share_card", {"shared": False})["community"]["shared"] is False
    assert cards(activity, ana)["shared"] == 0


def test_i_will_use_this_counts_reuse_but_not_on_ones_own_card(activity):
    ana = with_card(activity, "reuse-ana", "Pair review")
    card = cards(activity, ana)["cards"][0]["id"]
    ben = learner(activity, "reuse-ben")
    marked = act(activity, ben, "reuse_card", {"card": card, "reuse": True})
    assert marked["community"]["will_use"] == [card]
    assert cards(activity, ben)["cards"][0]["reuses"] == 1
    with pytest.raises(OutOfOrder):
        act(activity, ana, "reuse_card", {"card": card, "reuse": True})
    with pytest.raises(OutOfOrder):
        act(activity, ben, "reuse_card", {"card": "feedfacefeedface", "reuse": True})


def test_learners_search_the_shared_cards_whatever_the_case_and_accents(activity):
    with_card(activity, "search-ana", "Pair review")
    with_card(activity, "search-ben", "Café débrief")
    reader = learner(activity, "search-carla")
    assert [c["title"] for c in cards(activity, reader, {"query": "CAFE"})["cards"]] == [
        "Café débrief"
    ]
    with pytest.raises(BadRequest):
        cards(activity, reader, {"query": ["x"]})


def test_cards_and_page_access_stay_inside_their_activity(activity):
    other = make_activity(resource_link_id="rl-other")
    ana = with_card(other, "tenant-ana", "Other activity card")
    card = cards(other, ana)["cards"][0]["id"]
    ben = learner(activity, "tenant-ben")
    with pytest.raises(OutOfOrder):  # a card id means nothing in another activity
        act(activity, ben, "reuse_card", {"card": card, "reuse": True})
    assert "Other activity card" not in str(cards(activity, ben))
    with pytest.raises(NotAllowed):
        shared_cards(grant_for(activity, ben), other.pk, {})
    with pytest.raises(NotAllowed):
        assign_host(grant_for(activity, ben), other.pk, {"next_host": "Tenant Ana"})


def test_the_card_library_of_an_activity_not_set_up_is_refused(activity):
    broken = make_activity(resource_link_id="broken", template="no-such-template")
    with pytest.raises(NotSetUp):
        shared_cards(grant_for(broken, learner(broken, "ana")), broken.pk, {})


def test_the_port_reads_only_the_records_each_use_case_needs(activity):
    with_card(activity, "shares", "Shared")
    with_card(activity, "keeps", "Kept", share=False)
    marker = learner(activity, "marks")
    card = cards(activity, marker)["cards"][0]["id"]
    act(activity, marker, "reuse_card", {"card": card, "reuse": True})
    volunteer = learner(activity, "volunteers")
    act(activity, volunteer, "volunteer_host", {"volunteer": True})
    records = ActivityRecords(activity)
    assert {sub for sub, _, _ in records.members(Among.SHARING)} == {"shares", "marks"}
    assert {sub for sub, _, _ in records.members(Among.VOLUNTEERS)} == {"volunteers"}
    assert len(list(records.members())) == 4
    assert dict(records.names()) == {
        "shares": "Shares",
        "keeps": "Keeps",
        "marks": "Marks",
        "volunteers": "Volunteers",
    }


def test_each_read_of_the_port_is_one_query_whatever_the_number_of_learners(
    activity, django_assert_num_queries
):
    for number in range(30):
        with_card(activity, f"many-{number}", f"Card {number}")
    records = ActivityRecords(activity)
    with django_assert_num_queries(1):
        assert len(list(records.members(Among.SHARING))) == 30
    with django_assert_num_queries(1):
        assert len(list(records.names())) == 30
    reader = learner(activity, "reader")
    with django_assert_num_queries(3):  # the activity, the reader, the sharing records
        assert cards(activity, reader)["shared"] == 30  # a page of 20 cards, of 30 shared


def test_staff_hand_over_to_a_typed_name_whatever_its_case_and_accents(activity):
    """The same scenario as the XBlock's (tests/xblock/test_community.py): Unicode case folding."""
    elodie = learner(activity, "elodie", "Élodie Host")
    act(activity, elodie, "volunteer_host", {"volunteer": True})
    assert activity_volunteers(activity) == ["Élodie Host"]
    assigned = assign_next_host(activity.pk, "  élodie   HOST ", "en")
    assert assigned.next_host == "Élodie Host"
    assert is_current_host(Activity.objects.get(pk=activity.pk), elodie)
    with pytest.raises(BadRequest) as blank:
        assign_next_host(activity.pk, "   ", "en")
    assert set(blank.value.errors) == {"next_host"}


def test_only_the_learner_hosting_now_hands_over_to_the_next(activity):
    ana, ben = learner(activity, "host-ana", "Host Ana"), learner(activity, "host-ben", "Host Ben")
    for user in (ana, ben):
        act(activity, user, "volunteer_host", {"volunteer": True})
    assign_next_host(activity.pk, "Host Ana", "en")
    with pytest.raises(NotPermitted):
        assign_host(grant_for(activity, ben), activity.pk, {"next_host": "Host Ben"})
    with pytest.raises(BadRequest):
        assign_host(grant_for(activity, ana), activity.pk, {"next_host": "  "})
    answer = assign_host(grant_for(activity, ana, "fr"), activity.pk, {"next_host": "HOST BEN"})
    assert answer == {"next_host": "Host Ben", "message": "Le prochain hôte est enregistré."}
    assert is_current_host(Activity.objects.get(pk=activity.pk), ben)
    with pytest.raises(NotPermitted) as refused:
        assign_host(grant_for(activity, ana, "fr"), activity.pk, {"next_host": "Host Ana"})
    assert refused.value.errors["_"].startswith("Seuls l’équipe pédagogique")
