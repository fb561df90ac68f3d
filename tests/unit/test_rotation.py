import datetime as dt

import pytest

from koula.errors import BadRequest
from koula.rotation import (
    MAX_TURNS,
    hand_over,
    name_key,
    rotation_of,
    turns_data,
    turns_from_data,
)


def test_handing_over_to_a_volunteer_links_the_turn_to_them_under_their_own_name(now):
    turns = hand_over(
        (), "  alice   MARTIN ", participants=[("u1", "Alice Martin")], now=now, language="en"
    )
    assert [(t.name, t.learner_id) for t in turns] == [("Alice Martin", "u1")]


def test_handing_over_to_someone_else_keeps_only_the_name(now):
    turns = hand_over((), "A guest", participants=[("u1", "Alice")], now=now, language="en")
    assert turns[-1].learner_id is None


def test_a_blank_or_too_long_name_is_refused_in_the_readers_language(now):
    for name in ("   ", 3, "x" * 101):
        with pytest.raises(BadRequest) as caught:
            hand_over((), name, participants=[], now=now, language="fr")
        assert "prochain" in caught.value.errors["next_host"]


def test_names_match_whatever_their_case_accents_composition_and_blanks(now):
    participants = [("u1", "Élodie  Martin"), ("u2", "Straße")]
    for typed, learner in [
        ("élodie martin", "u1"),
        ("E\u0301LODIE MARTIN", "u1"),
        ("STRASSE", "u2"),
    ]:
        assert (
            hand_over((), typed, participants=participants, now=now, language="en")[-1].learner_id
            == learner
        )
    assert name_key("  ÉLODIE\tMartin ") == name_key("élodie martin")


def test_a_name_two_participants_share_links_no_one(now):
    participants = [("u1", "Sam Lee"), ("u2", "sam lee"), ("u3", "Ana")]
    turn = hand_over((), "Sam Lee", participants=participants, now=now, language="en")[-1]
    assert (turn.name, turn.learner_id) == ("Sam Lee", None)


def test_a_refused_name_never_reads_the_participants(now):
    def participants():
        raise AssertionError("read")
        yield

    with pytest.raises(BadRequest):
        hand_over((), " ", participants=participants(), now=now, language="en")


def test_the_rotation_counts_different_hosts_and_names_the_next(now):
    turns = ()
    for day, name in enumerate(["Alice", "Bob", "alice", "Carol"]):
        turns = hand_over(turns, name, participants=[], now=now + dt.timedelta(day), language="en")
    rotation = rotation_of(turns, ["Dan"])
    assert rotation.hosts == 3
    assert rotation.next_host.name == "Carol"


def test_turns_survive_their_stored_form_and_stay_bounded(now):
    turns = ()
    for n in range(MAX_TURNS + 5):
        turns = hand_over(
            turns, f"Host {n}", participants=[("u3", "Host 3")], now=now, language="en"
        )
    assert len(turns) == MAX_TURNS
    assert turns_from_data(turns_data(turns)) == turns
    assert turns_from_data([{"bad": 1}, "x", None]) == ()
