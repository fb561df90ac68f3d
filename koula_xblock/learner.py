"""The learner actions of ``contract.md`` carried from XBlock JSON handlers to the core.

:func:`run_action` loads the block's template and the learner's state, applies
the action, stores the resulting state (also when the action is refused, so a
refused submission is kept as the draft), keeps the learner's record for staff
when the stored state changed (:mod:`koula_xblock.records`), publishes grade
and completion when progress changed, and answers with the learner state or
the contract's error.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import TYPE_CHECKING, Any

from webob import Response

from koula.community import Community
from koula.errors import KoulaError
from koula.messages import translate
from koula.outcome import perform
from koula.progress import Progress
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula_xblock import compat
from koula_xblock.records import record_of

if TYPE_CHECKING:
    from koula_xblock.block import KoulaXBlock

__all__ = ["json_response", "keep_record", "not_set_up", "publish_progress", "run_action"]

log = logging.getLogger(__name__)


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(body), status=status, content_type="application/json", charset="utf8"
    )


def run_action(
    block: KoulaXBlock, action: str, body: Any, community: Community | None = None
) -> Response:
    """Apply ``action`` for the current learner and return the HTTP answer.

    ``community`` is what ``reuse_card`` checks the card against.
    """
    language = block.learner_language()
    try:
        template = block.template()
    except KoulaError:
        return not_set_up(language)
    outcome = perform(
        action,
        body,
        template=template,
        stored=block.learner_state,
        now=dt.datetime.now(dt.UTC),
        language=language,
        community=community,
    )
    if outcome.stored != LearnerState.from_data(block.learner_state).to_data():
        keep_record(block, template, outcome.stored)
    block.learner_state = outcome.stored
    if outcome.progress is not None:
        publish_progress(block, outcome.progress)
    block.runtime.publish(block, TRACKING_EVENT, {"action": action, "status": outcome.status})
    return json_response(outcome.body, status=outcome.status)


TRACKING_EVENT = "edx.koula.learner_action"
"""The tracking event of every learner action, for the platform's analytics."""


def not_set_up(language: str) -> Response:
    """The 409 a learner gets from an activity whose settings do not make a template."""
    message = translate(
        language, "This activity is not set up correctly yet. Please tell the course team."
    )
    return json_response({"errors": {"_": message}}, status=409)


def publish_progress(block: KoulaXBlock, after: Progress) -> None:
    """Publish the grade and the completion (``contract.md``: after each change of progress)."""
    maximum = block.max_score()
    block.runtime.publish(block, "grade", {"value": after.score * maximum, "max_value": maximum})
    block.emit_completion(after.completion)


def keep_record(block: KoulaXBlock, template: SessionTemplate, stored: dict[str, Any]) -> None:
    """Append the learner's record to the block's record store; log, never raise, on failure.

    The learner's own state is what counts for them: a store that fails must not
    turn their action into an error (the next action writes a whole new record).
    """
    record = record_of(template, stored, compat.user_name(block))
    try:
        compat.record_store(block).save(block, compat.learner_id(block), record)
    except Exception:
        log.exception("Koula: the learner record of %s was not kept", block.scope_ids.usage_id)
