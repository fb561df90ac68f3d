import datetime as dt

import pytest

from koula.actions import apply_action
from koula.errors import InvalidValues, OutOfOrder
from koula.progress import learner_state_data
from koula.state import LearnerState

CARD = {"practice": "Pair review", "steps": ["Pick a pair", "Review"]}
COMMITMENT = {"action": "Try pair review on Monday", "confidence": 3}
RETURN = {"applied": "partly", "what_happened": "We did it twice."}


def act(template, state, action, body, now, language="en"):
    return apply_action(action, body, template=template, state=state, now=now, language=language)


def closed_loop(template, now):
    state = act(template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    state = act(template, state, "commit_experiment", {"values": COMMITMENT}, now)
    return act(template, state, "submit_return", {"values": RETURN}, now)


def test_submitting_the_practice_card_stores_it_with_the_time(minimal_template, now):
    state = act(minimal_template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    data = learner_state_data(minimal_template, state)
    assert data["deliverable"] == {
        "status": "submitted",
        "values": CARD,
        "draft": None,
        "submitted_at": "2026-11-28T09:30:15.123Z",
    }


def test_a_missing_required_field_is_refused_and_the_typed_values_kept_as_draft(
    minimal_template, now
):
    with pytest.raises(InvalidValues) as caught:
        act(
            minimal_template,
            LearnerState(),
            "submit_deliverable",
            {"values": {"steps": ["One step"]}},
            now,
        )
    assert caught.value.errors == {"practice": "This answer is required. Please fill it in."}
    kept = learner_state_data(minimal_template, caught.value.state)["deliverable"]
    assert kept["status"] == "draft"
    assert kept["values"] == {"steps": ["One step"]}


def test_a_too_long_answer_is_refused_but_kept_as_typed(minimal_template, now):
    long = "x" * 51
    with pytest.raises(InvalidValues) as caught:
        act(
            minimal_template,
            LearnerState(),
            "submit_deliverable",
            {"values": {"practice": long}},
            now,
        )
    assert "50 characters" in caught.value.errors["practice"]
    assert caught.value.state.deliverable.draft == {"practice": long}


def test_a_draft_is_saved_without_checking_required_fields(minimal_template, now):
    state = act(
        minimal_template,
        LearnerState(),
        "save_draft",
        {"part": "commitment", "values": {"confidence": 2}},
        now,
    )
    data = learner_state_data(minimal_template, state)
    assert data["commitment"]["status"] == "draft"
    assert data["commitment"]["values"] == {"confidence": 2}
    assert data["progress"]["activity"] == "Started"


def test_a_draft_with_a_wrong_type_is_refused(minimal_template, now):
    with pytest.raises(InvalidValues) as caught:
        act(
            minimal_template,
            LearnerState(),
            "save_draft",
            {"part": "commitment", "values": {"confidence": 9}},
            now,
        )
    assert caught.value.errors == {"confidence": "Choose a rating from 1 to 5."}


def test_a_draft_must_name_a_part_of_the_template(minimal_template, now):
    with pytest.raises(InvalidValues) as caught:
        act(minimal_template, LearnerState(), "save_draft", {"part": "essay", "values": {}}, now)
    assert list(caught.value.errors) == ["part"]


def test_a_return_before_any_commitment_is_out_of_order_and_kept(minimal_template, now):
    with pytest.raises(OutOfOrder) as caught:
        act(minimal_template, LearnerState(), "submit_return", {"values": RETURN}, now)
    assert caught.value.status == 409
    assert list(caught.value.errors) == ["_"]
    assert caught.value.state.return_.draft == RETURN


def test_committing_sets_the_return_due_date_from_the_window(minimal_template, now):
    state = act(minimal_template, LearnerState(), "commit_experiment", {"values": COMMITMENT}, now)
    data = learner_state_data(minimal_template, state)["commitment"]
    assert data["status"] == "committed"
    assert data["committed_at"] == "2026-11-28T09:30:15.123Z"
    assert data["due_on"] == "2026-12-12"


def test_revising_a_commitment_keeps_its_due_date(minimal_template, now):
    state = act(minimal_template, LearnerState(), "commit_experiment", {"values": COMMITMENT}, now)
    later = now + dt.timedelta(days=5)
    revised = act(
        minimal_template,
        state,
        "commit_experiment",
        {"values": {**COMMITMENT, "confidence": 4}},
        later,
    )
    assert revised.commitment.due_on == dt.date(2026, 12, 12)
    assert revised.commitment.values["confidence"] == 4


def test_a_return_by_the_due_date_is_on_time(minimal_template, now):
    state = closed_loop(minimal_template, now)
    assert learner_state_data(minimal_template, state)["return"]["on_time"] is True


def test_a_return_after_the_due_date_is_late(minimal_template, now):
    state = act(minimal_template, LearnerState(), "commit_experiment", {"values": COMMITMENT}, now)
    late = act(
        minimal_template, state, "submit_return", {"values": RETURN}, now + dt.timedelta(days=15)
    )
    assert late.return_.on_time is False


def test_the_commitment_cannot_change_once_the_return_is_in(minimal_template, now):
    state = closed_loop(minimal_template, now)
    with pytest.raises(OutOfOrder):
        act(minimal_template, state, "commit_experiment", {"values": COMMITMENT}, now)


def test_a_draft_over_a_submitted_card_keeps_the_submitted_values(minimal_template, now):
    state = act(minimal_template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    state = act(
        minimal_template,
        state,
        "save_draft",
        {"part": "deliverable", "values": {"practice": "Renamed"}},
        now,
    )
    data = learner_state_data(minimal_template, state)["deliverable"]
    assert data["status"] == "submitted"
    assert data["values"] == CARD
    assert data["draft"] == {"practice": "Renamed"}


def test_a_failed_revision_keeps_both_the_submitted_card_and_the_new_text(minimal_template, now):
    state = act(minimal_template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    with pytest.raises(InvalidValues) as caught:
        act(minimal_template, state, "submit_deliverable", {"values": {"practice": ""}}, now)
    kept = caught.value.state.deliverable
    assert kept.values == CARD
    assert kept.draft == {"practice": ""}


def test_revising_the_card_keeps_the_first_submission_time(minimal_template, now):
    state = act(minimal_template, LearnerState(), "submit_deliverable", {"values": CARD}, now)
    first = state.deliverable.done_at
    later = now + dt.timedelta(hours=1)
    state = act(
        minimal_template,
        state,
        "submit_deliverable",
        {"values": {**CARD, "practice": "Better"}},
        later,
    )
    assert state.deliverable.done_at == first
    assert state.deliverable.values["practice"] == "Better"
    assert state.deliverable.draft is None


def test_a_body_that_is_not_an_object_is_refused(minimal_template, now):
    with pytest.raises(InvalidValues) as caught:
        act(minimal_template, LearnerState(), "submit_deliverable", ["x"], now)
    assert list(caught.value.errors) == ["_"]


def test_errors_are_in_the_learners_language(minimal_template, now):
    with pytest.raises(OutOfOrder) as caught:
        act(minimal_template, LearnerState(), "submit_return", {"values": RETURN}, now, "fr")
    assert caught.value.errors["_"].startswith("Engagez-vous")


def test_a_template_without_experiment_refuses_a_commitment(minimal_template, now):
    from dataclasses import replace

    no_experiment = replace(minimal_template, experiment=None)
    with pytest.raises(OutOfOrder):
        act(no_experiment, LearnerState(), "commit_experiment", {"values": COMMITMENT}, now)


def test_an_unknown_action_is_a_programming_error(minimal_template, now):
    with pytest.raises(ValueError):
        act(minimal_template, LearnerState(), "delete_everything", {}, now)


def test_the_state_survives_a_round_trip_through_json(minimal_template, now):
    state = closed_loop(minimal_template, now)
    state = act(
        minimal_template,
        state,
        "save_draft",
        {"part": "deliverable", "values": {"practice": "Edited"}},
        now,
    )
    assert LearnerState.from_data(state.to_data()) == state


def test_an_outcome_says_what_to_store_answer_and_report(minimal_template, now):
    from koula.outcome import perform

    refused = perform(
        "submit_deliverable",
        {"values": {"steps": ["a"]}},
        template=minimal_template,
        stored=None,
        now=now,
        language="en",
    )
    assert (refused.status, refused.progress) == (400, None)
    assert refused.stored["deliverable"]["values"] == {"steps": ["a"]}
    done = perform(
        "submit_deliverable",
        {"values": CARD},
        template=minimal_template,
        stored=refused.stored,
        now=now,
        language="en",
    )
    assert done.status == 200 and done.progress.activity == "InProgress"
    again = perform(
        "submit_deliverable",
        {"values": CARD},
        template=minimal_template,
        stored=done.stored,
        now=now,
        language="en",
    )
    assert again.progress is None


def test_a_learner_volunteers_to_host_the_next_session_and_can_withdraw(minimal_template, now):
    offered = act(minimal_template, LearnerState(), "volunteer_host", {"volunteer": True}, now)
    data = learner_state_data(minimal_template, offered)
    assert data["host"] == {"volunteered": True, "volunteered_at": "2026-11-28T09:30:15.123Z"}
    assert data["progress"]["activity"] == "Initialized"
    later = now + dt.timedelta(hours=1)
    again = act(minimal_template, offered, "volunteer_host", {"volunteer": True}, later)
    assert again.volunteered_at == offered.volunteered_at
    withdrawn = act(minimal_template, again, "volunteer_host", {"volunteer": False}, later)
    assert learner_state_data(minimal_template, withdrawn)["host"]["volunteered"] is False
    assert LearnerState.from_data(offered.to_data()) == offered


def test_volunteering_needs_a_yes_or_no(minimal_template, now):
    with pytest.raises(InvalidValues) as caught:
        act(minimal_template, LearnerState(), "volunteer_host", {"volunteer": "maybe"}, now)
    assert list(caught.value.errors) == ["volunteer"]


def test_there_is_no_next_host_to_volunteer_for_when_no_role_rotates(minimal_template, now):
    from dataclasses import replace

    fixed = replace(
        minimal_template, roles=tuple(replace(r, rotates=False) for r in minimal_template.roles)
    )
    with pytest.raises(OutOfOrder):
        act(fixed, LearnerState(), "volunteer_host", {"volunteer": True}, now)


# share_with_group on commit_experiment (issue 11, point 3) ------------------------------


def test_a_commitment_is_not_shared_with_the_group_unless_the_learner_says_so(
    minimal_template, now
):
    state = act(minimal_template, LearnerState(), "commit_experiment", {"values": COMMITMENT}, now)
    assert state.share_commitment is False
    assert learner_state_data(minimal_template, state)["commitment"]["share_with_group"] is False


def test_a_learner_shares_a_commitment_with_the_group_and_a_revision_can_take_it_back(
    minimal_template, now
):
    body = {"values": COMMITMENT, "share_with_group": True}
    shared = act(minimal_template, LearnerState(), "commit_experiment", body, now)
    assert learner_state_data(minimal_template, shared)["commitment"]["share_with_group"] is True
    body = {"values": COMMITMENT, "share_with_group": False}
    assert act(minimal_template, shared, "commit_experiment", body, now).share_commitment is False


@pytest.mark.parametrize("flag", ["yes", 1, None, [], {}])
def test_sharing_a_commitment_needs_a_true_or_false_and_keeps_the_typed_values(
    minimal_template, now, flag
):
    body = {"values": COMMITMENT, "share_with_group": flag}
    with pytest.raises(InvalidValues) as caught:
        act(minimal_template, LearnerState(), "commit_experiment", body, now)
    assert set(caught.value.errors) == {"share_with_group"}
    assert caught.value.state.commitment.draft == COMMITMENT
    assert not caught.value.state.commitment.done
    assert caught.value.state.share_commitment is False


def test_a_bad_share_flag_and_bad_answers_are_reported_together(minimal_template, now):
    body = {"values": {"confidence": 9}, "share_with_group": "no"}
    with pytest.raises(InvalidValues) as caught:
        act(minimal_template, LearnerState(), "commit_experiment", body, now)
    assert {"share_with_group", "action", "confidence"} <= set(caught.value.errors)


def test_the_share_flag_message_is_in_the_learners_language(minimal_template, now):
    body = {"values": COMMITMENT, "share_with_group": "oui"}
    with pytest.raises(InvalidValues) as caught:
        act(minimal_template, LearnerState(), "commit_experiment", body, now, language="fr")
    assert "groupe" in caught.value.errors["share_with_group"]


def test_the_share_flag_is_ignored_by_every_other_action(minimal_template, now):
    body = {"values": CARD, "share_with_group": "not even a boolean"}
    state = act(minimal_template, LearnerState(), "submit_deliverable", body, now)
    assert state.deliverable.done and state.share_commitment is False
