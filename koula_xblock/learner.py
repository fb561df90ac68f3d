"""The learner actions of ``contract.md`` carried from XBlock JSON handlers to the core.

:func:`run_action` loads the block's template and the learner's state, applies
the action, stores the resulting state (also when the action is refused, so a
refused submission is kept as the draft), publishes grade and completion when
progress changed, and answers with the learner state or the contract's error.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from webob import Response

from koula.actions import apply_action
from koula.errors import ActionError, KoulaError
from koula.messages import gettext_for
from koula.progress import Progress, learner_state_data, progress_of
from koula.state import LearnerState

if TYPE_CHECKING:
    from koula_xblock.block import KoulaXBlock

__all__ = ["json_response", "publish_progress", "run_action"]


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    return Response(
        json.dumps(body), status=status, content_type="application/json", charset="utf8"
    )


def run_action(block: KoulaXBlock, action: str, body: Any) -> Response:
    """Apply ``action`` for the current learner and return the HTTP answer."""
    language = block.learner_language()
    try:
        template = block.template()
    except KoulaError:
        message = gettext_for(language)(
            "This activity is not set up correctly yet. Please tell the course team."
        )
        return json_response({"errors": {"_": message}}, status=409)
    state = LearnerState.from_data(block.learner_state)
    before = progress_of(template, state)
    try:
        state = apply_action(
            action,
            body,
            template=template,
            state=state,
            now=dt.datetime.now(dt.UTC),
            language=language,
        )
    except ActionError as error:
        block.learner_state = error.state.to_data()
        return json_response({"errors": error.errors}, status=error.status)
    block.learner_state = state.to_data()
    publish_progress(block, before, progress_of(template, state))
    return json_response(learner_state_data(template, state))


def publish_progress(block: KoulaXBlock, before: Progress, after: Progress) -> None:
    """Publish the grade and the completion when progress changed (``contract.md``)."""
    if after == before:
        return
    maximum = block.max_score()
    block.runtime.publish(block, "grade", {"value": after.score * maximum, "max_value": maximum})
    block.emit_completion(after.completion)
