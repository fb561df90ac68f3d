"""The learner actions of ``docs/learner-api.md``, from the block's JSON handlers to the core.

Contract: a block using :class:`LearnerMixin` gets the ``learner_state`` field
and :meth:`~LearnerMixin.act`, which loads the template (a block not set up
raises :class:`~koula.errors.NotSetUp`, which the handlers' guard answers 409),
applies the action, stores the resulting state (also when the action is
refused, so a refused submission is kept as the draft), keeps the learner's
record for staff when the stored state changed (:mod:`koula_xblock.records`),
publishes grade and completion when progress changed, emits the tracking event
(and, for an accepted action, one ``edx.koula.<verb>`` event per xAPI event of the core:
:mod:`koula_xblock.tracking`) and answers with the learner state or the contract's error. It needs
``template()``, ``learner_language()`` and ``publish_progress()`` (from
:class:`~.settings.SettingsMixin` and :class:`~.grading.GradingMixin`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from webob import Response
from xblock.fields import Dict, Scope

from koula import Community, LearnerState, Progress, SessionTemplate, action_events, perform
from koula_xblock import compat
from koula_xblock.records import record_of
from koula_xblock.responses import json_response
from koula_xblock.tracking import publish_xapi_events

__all__ = ["TRACKING_EVENT", "LearnerMixin"]

log = logging.getLogger(__name__)

TRACKING_EVENT = "edx.koula.learner_action"
"""The tracking event of every learner action, for the platform's analytics."""


class LearnerMixin:
    """One learner's answers and the actions on them."""

    learner_state = Dict(
        default={}, scope=Scope.user_state, help="One learner's answers (see koula.state)."
    )

    if TYPE_CHECKING:
        runtime: Any
        scope_ids: Any

        def template(self) -> SessionTemplate: ...
        def learner_language(self) -> str: ...
        def publish_progress(self, progress: Progress) -> None: ...

    def act(self, action: str, body: Any, community: Community | None = None) -> Response:
        """Apply ``action`` for the current learner and return the HTTP answer.

        ``community`` is what ``reuse_card`` checks the card against.
        """
        template, now, language = self.template(), dt.datetime.now(dt.UTC), self.learner_language()
        before = LearnerState.from_data(self.learner_state)
        outcome = perform(
            action,
            body,
            template=template,
            stored=self.learner_state,
            now=now,
            language=language,
            community=community,
        )
        if outcome.stored != before.to_data():
            self.keep_record(template, outcome.stored)
        self.learner_state = outcome.stored
        if outcome.progress is not None:
            self.publish_progress(outcome.progress)
        self.runtime.publish(self, TRACKING_EVENT, {"action": action, "status": outcome.status})
        if outcome.status == 200:
            after = LearnerState.from_data(outcome.stored)
            events = action_events(
                action, before, after, template=template, at=now, language=language
            )
            publish_xapi_events(self, events, template)
        return json_response(outcome.body, status=outcome.status)

    def keep_record(self, template: SessionTemplate, stored: dict[str, Any]) -> None:
        """Append the learner's record to the block's record store; log, never raise, on failure.

        The learner's own state is what counts for them: a store that fails must not
        turn their action into an error (the next action writes a whole new record).
        """
        record = record_of(template, stored, compat.user_name(self))
        try:
            compat.record_store(self).save(self, compat.learner_id(self), record)
        except Exception:
            log.exception("Koula: the learner record of %s was not kept", self.scope_ids.usage_id)
