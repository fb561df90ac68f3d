from dataclasses import replace

from koula.actions import apply_action
from koula.outcome import perform
from koula.progress import learner_state_data, progress_of
from koula.state import LearnerState
from koula.template import Part, ScoringPolicy

STEPS = [
    ("save_draft", {"part": "deliverable", "values": {"practice": "x"}}),
    ("submit_deliverable", {"values": {"practice": "Pair review"}}),
    ("commit_experiment", {"values": {"action": "Try it", "confidence": 3}}),
    ("submit_return", {"values": {"applied": "yes", "what_happened": "It worked."}}),
]


def progress_after_each_step(template, now):
    state, seen = LearnerState(), [progress_of(template, LearnerState())]
    for action, body in STEPS:
        state = apply_action(action, body, template=template, state=state, now=now, language="en")
        seen.append(progress_of(template, state))
    return seen


def test_the_activity_words_follow_the_loop(minimal_template, now):
    words = [p.activity for p in progress_after_each_step(minimal_template, now)]
    assert words == ["Initialized", "Started", "InProgress", "Submitted", "Completed"]


def test_completion_reaches_one_when_the_loop_closes(minimal_template, now):
    completions = [p.completion for p in progress_after_each_step(minimal_template, now)]
    assert completions == [0.0, 0.0, 0.3333, 0.6667, 1.0]


def test_the_score_follows_the_templates_weights(minimal_template, now):
    scores = [p.score for p in progress_after_each_step(minimal_template, now)]
    assert scores == [0.0, 0.0, 0.4, 0.6, 1.0]


def test_a_part_with_no_weight_adds_no_score(minimal_template, now):
    template = replace(minimal_template, scoring=ScoringPolicy(1, 0, 1))
    scores = [p.score for p in progress_after_each_step(template, now)]
    assert scores == [0.0, 0.0, 0.5, 0.5, 1.0]


def test_without_an_experiment_the_card_alone_completes(minimal_template, now):
    template = replace(minimal_template, experiment=None)
    state = apply_action(
        "submit_deliverable",
        {"values": {"practice": "x"}},
        template=template,
        state=LearnerState(),
        now=now,
        language="en",
    )
    progress = progress_of(template, state)
    assert (progress.completion, progress.score, progress.activity) == (1.0, 1.0, "Completed")


def test_a_commitment_without_a_card_is_in_progress_not_submitted(minimal_template, now):
    state = apply_action(
        "commit_experiment",
        {"values": {"action": "x", "confidence": 1}},
        template=minimal_template,
        state=LearnerState(),
        now=now,
        language="en",
    )
    assert progress_of(minimal_template, state).activity == "InProgress"


def test_the_learner_state_is_the_same_whether_its_parts_and_progress_are_given_or_derived(
    minimal_template, now
):
    state = LearnerState()
    for action, body in STEPS:
        state = apply_action(
            action, body, template=minimal_template, state=state, now=now, language="en"
        )
        derived = learner_state_data(minimal_template, state)
        given = learner_state_data(
            minimal_template,
            state,
            data=state.to_data(),
            progress=progress_of(minimal_template, state),
        )
        assert (
            given == derived
            and derived["progress"] == progress_of(minimal_template, state).to_data()
        )


def test_an_action_answers_the_state_it_stores_with_its_progress(minimal_template, now):
    stored = None
    for action, body in STEPS:
        outcome = perform(
            action, body, template=minimal_template, stored=stored, now=now, language="en"
        )
        state = LearnerState.from_data(outcome.stored)
        assert outcome.body == learner_state_data(minimal_template, state)
        stored = outcome.stored


def test_a_weight_is_found_by_the_parts_member_or_its_name():
    policy = ScoringPolicy(2.0, 3.0, 5.0)
    assert [policy.weight(name) for name in ("deliverable", "commitment", "return")] == [2, 3, 5]
    assert [policy.weight(part) for part in Part] == [2, 3, 5]
