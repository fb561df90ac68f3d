"""The block's grade and completion, through XBlock's ``ScorableXBlockMixin``.

Contract: a block using :class:`GradingMixin` reports a raw score from 0 to 1
(``max_score()`` is 1; the course's *Problem weight* scales it): after each
learner action that changes progress, :meth:`~GradingMixin.publish_progress`
publishes ``grade`` and ``completion`` (``docs/learner-api.md``). The score is
the core's (:func:`koula.progress.progress_of`), so when staff change the
weights in Studio the platform's rescore (``rescore``, from the instructor
dashboard) publishes it again under the new weights; a score staff override is
kept in ``raw_earned``/``raw_possible`` and published as given. It needs the
``learner_state`` field and ``template()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xblock.completable import CompletableXBlockMixin
from xblock.fields import Float, Scope
from xblock.scorable import ScorableXBlockMixin, Score

from koula import LearnerState, Part, Progress, SessionTemplate, progress_of

__all__ = ["GradingMixin"]

MAX_SCORE = 1.0


class GradingMixin(ScorableXBlockMixin, CompletableXBlockMixin):
    """Grades from the core's progress, with rescoring and overrides; custom completion."""

    has_custom_completion = True
    raw_earned = Float(
        default=None, scope=Scope.user_state, help="The score last published (see grading.py)."
    )
    raw_possible = Float(
        default=None, scope=Scope.user_state, help="Its maximum (1, unless staff overrode it)."
    )

    if TYPE_CHECKING:
        learner_state: dict[str, Any]

        def template(self) -> SessionTemplate: ...

    def max_score(self) -> float:
        return MAX_SCORE

    def publish_progress(self, progress: Progress) -> None:
        """Publish the grade and the completion after a change of progress."""
        score = Score(raw_earned=progress.score * MAX_SCORE, raw_possible=MAX_SCORE)
        self.set_score(score)
        self._publish_grade(score)
        self.emit_completion(progress.completion)

    def has_submitted_answer(self) -> bool:
        """Return True once the learner submitted their practice card (rescoring needs one)."""
        return LearnerState.from_data(self.learner_state).part(Part.DELIVERABLE).done

    def calculate_score(self) -> Score:
        """Return the learner's score under the settings now; raise NotSetUp when misconfigured."""
        state = LearnerState.from_data(self.learner_state)
        return Score(progress_of(self.template(), state).score * MAX_SCORE, MAX_SCORE)

    def get_score(self) -> Score:
        """Return the score last published (for a state older than these fields, the current)."""
        if self.raw_earned is None or self.raw_possible is None:
            return self.calculate_score()
        return Score(self.raw_earned, self.raw_possible)

    def set_score(self, score: Score) -> None:
        self.raw_earned, self.raw_possible = score.raw_earned, score.raw_possible

    def publish_grade(self) -> None:
        """Publish the score kept (the instructor dashboard's override calls it after set_score)."""
        self._publish_grade(self.get_score())
