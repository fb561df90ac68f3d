"""Grades through ScorableXBlockMixin: published after each change, rescored, overridden."""

from __future__ import annotations

from xblock.scorable import Score

from tests.xblock.runtime import call, events
from tests.xblock.test_learner_actions import card_values

WEIGHTS = {"deliverable_weight": 1.0, "commitment_weight": 0.0, "return_weight": 3.0}


def test_changing_the_weights_in_studio_then_rescoring_publishes_the_new_grade(course):
    learner = course.block("learner-1", **WEIGHTS)
    call(learner, "submit_deliverable", {"values": card_values(learner)})
    assert [grade["value"] for grade in events(learner, "grade")] == [0.25]
    studio = call(course.block("teacher", staff=True), "studio_submit", {"deliverable_weight": "3"})
    assert studio[0] == 200
    learner = course.block("learner-1")
    learner.rescore(only_if_higher=False)
    assert events(learner, "grade") == [{"value": 0.5, "max_value": 1.0, "only_if_higher": False}]
    assert learner.get_score() == Score(0.25, 1.0)  # the score last published by an action


def test_a_learner_counts_as_answered_once_their_card_is_submitted(course):
    # The LMS's rescore task skips a learner who has not answered.
    learner = course.block("learner-1")
    call(learner, "save_draft", {"part": "deliverable", "values": {"practice_name": "Pair"}})
    assert not learner.has_submitted_answer()
    call(learner, "submit_deliverable", {"values": card_values(learner)})
    assert learner.has_submitted_answer()


def test_the_score_is_the_cores_progress_under_the_settings_now(course):
    learner = course.block("learner-1", **WEIGHTS)
    call(learner, "submit_deliverable", {"values": card_values(learner)})
    assert learner.calculate_score() == Score(0.25, 1.0)
    learner.deliverable_weight = 0.0
    assert learner.calculate_score() == Score(0.0, 1.0)


def test_a_score_staff_override_is_kept_and_published_as_given(course):
    learner = course.block("learner-1")
    learner.set_score(Score(raw_earned=0.3, raw_possible=0.5))
    learner.publish_grade()
    assert events(learner, "grade") == [{"value": 0.3, "max_value": 0.5, "only_if_higher": None}]
    assert learner.get_score() == Score(0.3, 0.5)
