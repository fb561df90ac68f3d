"""Host rotation through the port: who may hand over, the name matched, the volunteers."""

from __future__ import annotations

import datetime as dt

import pytest

from koula.errors import BadRequest, NotPermitted
from koula.use_cases.hosting import Actor, assign_host, is_current_host, volunteers

STAFF = Actor(None, staff=True)


def test_staff_hand_over_to_a_participant_whatever_the_case_of_the_typed_name(activity):
    activity.join("u-elodie", "Élodie Martin")
    activity.join("u-ana", "Ana")
    answer = assign_host(activity, "  élodie   MARTIN ", by=STAFF, language="en")
    assert answer == {"next_host": "Élodie Martin", "message": "The next host is saved."}
    assert activity.turns()[-1].learner_id == "u-elodie"
    assert activity.turns()[-1].at == activity.now().replace(microsecond=123000)  # kept to the ms
    assert is_current_host(activity, "u-elodie") and not is_current_host(activity, "u-ana")


def test_the_answer_comes_in_the_readers_language(activity):
    answer = assign_host(activity, "Invité", by=STAFF, language="fr")
    assert answer["message"] == "Le prochain hôte est enregistré."


def test_a_learner_who_is_not_the_host_is_refused_and_nothing_is_stored(activity):
    activity.join("u-ana", "Ana")
    for language, words in (("en", "Only course staff"), ("fr", "Seuls")):
        with pytest.raises(NotPermitted) as refused:
            assign_host(activity, "Ana", by=Actor("u-ana"), language=language)
        assert refused.value.status == 403 and words in refused.value.errors["_"]
    assert activity.saves == 0 and activity.turns() == ()


def test_the_host_named_last_hands_over_once_then_no_longer(activity):
    activity.join("u-ana", "Ana")
    activity.join("u-ben", "Ben")
    assign_host(activity, "ana", by=STAFF, language="en")
    assign_host(activity, "Ben", by=Actor("u-ana"), language="en")
    with pytest.raises(NotPermitted):
        assign_host(activity, "Ana", by=Actor("u-ana"), language="en")
    assert [turn.learner_id for turn in activity.turns()] == ["u-ana", "u-ben"]


def test_an_unknown_learner_is_never_the_host_even_of_a_turn_linked_to_no_one(activity):
    assign_host(activity, "A guest", by=STAFF, language="en")
    assert not is_current_host(activity, None)
    with pytest.raises(NotPermitted):
        assign_host(activity, "Ana", by=Actor(None), language="en")


def test_a_blank_name_is_refused_and_nothing_is_stored(activity):
    with pytest.raises(BadRequest) as refused:
        assign_host(activity, "   ", by=STAFF, language="en")
    assert refused.value.status == 400 and "next_host" in refused.value.errors
    assert activity.saves == 0


def test_volunteers_come_earliest_first_by_name_else_by_id(activity, learner, now):
    offer = ("volunteer_host", {"volunteer": True})
    activity.join("u-late", "Late", learner(offer))
    activity.join("u-none", "", learner())
    activity.join("u-early", "", learner(offer))
    late = activity.states["u-late"]
    activity.states["u-late"] = type(late)(volunteered_at=now + dt.timedelta(hours=1))
    assert volunteers(activity) == ["u-early", "Late"]
