import datetime as dt

import pytest

from koula.actions import apply_action
from koula.community import (
    Community,
    browse,
    browse_request,
    card_data,
    page_data,
    public_id,
    searchable,
)
from koula.community_report import CommunityTally
from koula.errors import BadRequest, InvalidValues, OutOfOrder
from koula.progress import learner_state_data
from koula.state import LearnerState

SCOPE = "activity-1"


def act(template, state, action, body, now, community=None, language="en"):
    return apply_action(
        action,
        body,
        template=template,
        state=state,
        now=now,
        language=language,
        community=community,
    )


def with_card(template, now, practice="Pair review", steps=("Pick a pair",)):
    body = {"values": {"practice": practice, "steps": list(steps)}}
    return act(template, LearnerState(), "submit_deliverable", body, now)


def shared(template, now, **card):
    return act(template, with_card(template, now, **card), "share_card", {"shared": True}, now)


def test_a_submitted_card_can_be_shared_then_withdrawn(minimal_template, now):
    state = shared(minimal_template, now)
    community = learner_state_data(minimal_template, state)["community"]
    assert community == {"shared": True, "shared_at": "2026-11-28T09:30:15.123Z", "will_use": []}
    withdrawn = act(minimal_template, state, "share_card", {"shared": False}, now)
    assert learner_state_data(minimal_template, withdrawn)["community"]["shared"] is False


def test_sharing_again_keeps_the_first_sharing_time(minimal_template, now):
    state = shared(minimal_template, now)
    again = act(minimal_template, state, "share_card", {"shared": True}, now + dt.timedelta(1))
    assert again.shared_at == state.shared_at


def test_a_card_not_yet_submitted_cannot_be_shared(minimal_template, now):
    with pytest.raises(OutOfOrder) as caught:
        act(minimal_template, LearnerState(), "share_card", {"shared": True}, now)
    assert "Submit your practice card first" in caught.value.errors["_"]


def test_sharing_needs_a_yes_or_no_in_the_learners_language(minimal_template, now):
    with pytest.raises(InvalidValues) as caught:
        act(
            minimal_template,
            with_card(minimal_template, now),
            "share_card",
            {"shared": 1},
            now,
            language="fr",
        )
    assert caught.value.errors["shared"].startswith("Répondez")


def test_a_learner_marks_a_shared_card_and_takes_the_mark_back(minimal_template, now):
    community = Community(shared=frozenset({"c1", "c2"}), own="mine")
    marked = act(
        minimal_template,
        LearnerState(),
        "reuse_card",
        {"card": "c1", "reuse": True},
        now,
        community,
    )
    marked = act(
        minimal_template, marked, "reuse_card", {"card": "c1", "reuse": True}, now, community
    )
    assert marked.will_use == ("c1",)
    unmarked = act(minimal_template, marked, "reuse_card", {"card": "c1", "reuse": False}, now)
    assert unmarked.will_use == ()


def test_nobody_can_mark_their_own_card_or_a_card_not_shared(minimal_template, now):
    community = Community(shared=frozenset({"mine", "c2"}), own="mine")
    with pytest.raises(OutOfOrder) as own:
        act(
            minimal_template,
            LearnerState(),
            "reuse_card",
            {"card": "mine", "reuse": True},
            now,
            community,
        )
    assert "your own card" in own.value.errors["_"]
    with pytest.raises(OutOfOrder) as gone:
        act(
            minimal_template,
            LearnerState(),
            "reuse_card",
            {"card": "c9", "reuse": True},
            now,
            community,
        )
    assert "not shared" in gone.value.errors["_"]


def test_a_mark_needs_a_card_id_and_a_yes_or_no(minimal_template, now):
    with pytest.raises(InvalidValues) as caught:
        act(minimal_template, LearnerState(), "reuse_card", {"card": 3, "reuse": "yes"}, now)
    assert set(caught.value.errors) == {"card", "reuse"}


def test_public_ids_are_stable_per_activity_and_do_not_show_the_learner():
    assert public_id(SCOPE, "alice") == public_id(SCOPE, "alice")
    assert public_id(SCOPE, "alice") != public_id("activity-2", "alice")
    assert "alice" not in public_id(SCOPE, "alice")
    assert len(public_id(SCOPE, "alice")) == 16


def test_search_ignores_case_and_accents():
    assert searchable("Équipe DÉBUT") == "equipe debut"


def cohort(template, now):
    alice = shared(template, now, practice="Pair review", steps=["Pick a pair"])
    bob = shared(template, now + dt.timedelta(hours=1), practice="Café débrief")
    carol = with_card(template, now, practice="Secret practice")  # submitted, not shared
    ids = {who: public_id(SCOPE, who) for who in ("alice", "bob", "carol", "dan")}
    community = Community(frozenset({ids["alice"], ids["bob"]}), ids["carol"])
    carol = act(
        template, carol, "reuse_card", {"card": ids["alice"], "reuse": True}, now, community
    )
    dan = act(
        template,
        LearnerState(),
        "reuse_card",
        {"card": ids["alice"], "reuse": True},
        now,
        Community(community.shared, ids["dan"]),
    )
    dan = act(
        template,
        dan,
        "reuse_card",
        {"card": ids["bob"], "reuse": True},
        now,
        Community(community.shared, ids["dan"]),
    )
    learners = [
        ("alice", "Alice", alice),
        ("bob", "Bob", bob),
        ("carol", "Carol", carol),
        ("dan", "Dan", dan),
    ]
    return learners, ids


def test_browsing_shows_only_shared_cards_most_reused_first(minimal_template, now):
    learners, _ids = cohort(minimal_template, now)
    page = browse(minimal_template, learners, scope=SCOPE, reader="carol")
    assert [(c.author, c.reuses, c.reused, c.mine) for c in page.cards] == [
        ("Alice", 2, True, False),
        ("Bob", 1, False, False),
    ]
    assert (page.matching, page.shared) == (2, 2)
    assert "Secret practice" not in str(page)


def test_browsing_searches_answers_and_authors_without_accents(minimal_template, now):
    learners, _ids = cohort(minimal_template, now)
    assert [
        c.author
        for c in browse(
            minimal_template, learners, scope=SCOPE, reader="dan", query="cafe DEBRIEF"
        ).cards
    ] == ["Bob"]
    assert [
        c.author
        for c in browse(minimal_template, learners, scope=SCOPE, reader="dan", query="alice").cards
    ] == ["Alice"]
    assert (
        browse(minimal_template, learners, scope=SCOPE, reader="dan", query="pair nothing").cards
        == ()
    )


def test_a_withdrawn_card_disappears_and_its_marks_stop_counting(minimal_template, now):
    learners, _ids = cohort(minimal_template, now)
    alice = act(minimal_template, learners[0][2], "share_card", {"shared": False}, now)
    learners[0] = ("alice", "Alice", alice)
    page = browse(minimal_template, learners, scope=SCOPE, reader="dan")
    assert [c.author for c in page.cards] == ["Bob"]
    report = tally(minimal_template, learners)
    assert (report.shared, report.reuses, report.cards_reused, report.reusers) == (1, 1, 1, 1)


def test_pages_say_where_to_go_on(minimal_template, now):
    learners, _ids = cohort(minimal_template, now)
    first = browse(minimal_template, learners, scope=SCOPE, reader="dan", limit=1)
    data = page_data(minimal_template, first, "en")
    assert (len(data["cards"]), data["next_offset"]) == (1, 1)
    last = browse(minimal_template, learners, scope=SCOPE, reader="dan", offset=1, limit=1)
    assert page_data(minimal_template, last, "en")["next_offset"] is None


def test_a_card_is_sent_with_its_labels_in_the_readers_language(minimal_template, now):
    learners, ids = cohort(minimal_template, now)
    card = browse(minimal_template, learners, scope=SCOPE, reader="dan").cards[0]
    data = card_data(minimal_template, card, "fr")
    assert data["id"] == ids["alice"]
    assert data["title"] == "Pair review"
    assert data["fields"] == [
        {"key": "practice", "label": "Pratique", "value": "Pair review"},
        {"key": "steps", "label": "Étapes", "value": ["Pick a pair"]},
    ]


def test_browse_requests_are_checked():
    assert browse_request(None, "en") == ("", 0)
    assert browse_request({"query": "pair", "offset": 20}, "en") == ("pair", 20)
    with pytest.raises(BadRequest) as caught:
        browse_request({"query": 5, "offset": -1}, "en")
    assert set(caught.value.errors) == {"query", "offset"}


def tally(template, learners):
    counter = CommunityTally(template, SCOPE)
    for learner_id, name, state in learners:
        counter.add(learner_id, name, state)
    return counter.report()


def test_the_report_counts_cards_shared_and_their_reuse(minimal_template, now):
    learners, _ids = cohort(minimal_template, now)
    report = tally(minimal_template, learners)
    assert (report.cards, report.shared) == (3, 2)
    assert (report.reuses, report.cards_reused, report.reusers) == (3, 2, 2)
    assert [(c.title, c.author, c.reuses) for c in report.top] == [
        ("Pair review", "Alice", 2),
        ("Café débrief", "Bob", 1),
    ]
