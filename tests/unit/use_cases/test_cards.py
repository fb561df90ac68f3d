"""The card library through the port: a page of shared cards, and what reuse is checked against."""

from __future__ import annotations

import pytest

from koula.community import public_id
from koula.errors import BadRequest
from koula.use_cases.cards import community_of, shared_cards
from tests.unit.use_cases.conftest import CARD

SUBMIT = ("submit_deliverable", CARD)
SHARE = ("share_card", {"shared": True})


def test_a_reader_gets_the_shared_cards_only_with_their_authors(
    activity, learner, minimal_template
):
    activity.join("u-ana", "Ana", learner(SUBMIT, SHARE))
    activity.join("u-ben", "Ben", learner(SUBMIT))
    activity.join("u-carla", "Carla", learner())
    page = shared_cards(activity, minimal_template, {}, reader="u-carla", language="fr")
    assert [(card["author"], card["mine"]) for card in page["cards"]] == [("Ana", False)]
    assert page["cards"][0]["fields"][0]["label"] == "Pratique"
    assert (page["shared"], page["matching"], page["next_offset"]) == (1, 1, None)


def test_a_reader_sees_their_own_shared_card_as_theirs(activity, learner, minimal_template):
    activity.join("u-ana", "Ana", learner(SUBMIT, SHARE))
    page = shared_cards(activity, minimal_template, None, reader="u-ana", language="en")
    assert page["cards"][0]["mine"] is True


def test_a_bad_search_is_refused_in_the_readers_language(activity, minimal_template):
    with pytest.raises(BadRequest) as refused:
        shared_cards(activity, minimal_template, ["x"], reader="u", language="fr")
    assert refused.value.errors["_"] == "La requête doit être un objet JSON."


def test_reuse_is_checked_against_the_cards_shared_now_and_the_readers_own(activity, learner):
    activity.join("u-ana", "Ana", learner(SUBMIT, SHARE))
    activity.join("u-ben", "Ben", learner(SUBMIT, SHARE, ("share_card", {"shared": False})))
    community = community_of(activity, "u-carla")
    assert community.shared == {public_id("activity-1", "u-ana")}
    assert community.own == public_id("activity-1", "u-carla")
