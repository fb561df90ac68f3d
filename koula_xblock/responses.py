"""The block's HTTP answers, and the one guard every handler wears.

:func:`guarded` turns a core :class:`~koula.errors.Refused` raised inside a
handler (the activity not set up, 409; a user who may not, 403; a malformed
request, 400) into the contract's ``{"errors": {...}}`` answer with its status,
so no handler words or maps an error itself. :func:`json_action` is XBlock's
``json_handler`` with the contract's errors: the body is read by the core
(:func:`koula.json_object`), so a body that is not one JSON object, or is nested
too deep, answers 400 with ``{"errors": {"_": ...}}`` in the learner's language,
never a 500. This module imports nothing of the block.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, cast

from webob import Response
from xblock.core import XBlock

from koula import Refused, json_object
from koula.messages import translate

__all__ = ["guarded", "json_action", "json_response"]


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    """Return ``body`` as a JSON answer with ``status``."""
    return Response(
        json.dumps(body), status=status, content_type="application/json", charset="utf8"
    )


def guarded[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """Wrap a handler so that a Refused error answers ``{"errors": ...}`` with its status."""

    @functools.wraps(handler)
    def guard(block: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return handler(block, *args, **kwargs)
        except Refused as refused:
            return json_response({"errors": refused.errors}, status=refused.status)

    return cast(Handler, guard)


def json_action[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """Make ``handler(block, data, suffix)`` a guarded JSON handler reading the body safely.

    POST only (405 otherwise); the body goes through :func:`koula.json_object` in the
    block's ``learner_language()``; a dict answer is sent as JSON.
    """
    guarded_handler = guarded(handler)

    @functools.wraps(handler)
    def action(block: Any, request: Any, suffix: str = "") -> Any:
        language = block.learner_language()
        if request.method != "POST":
            message = translate(language, "Send this request with POST.")
            response = json_response({"errors": {"_": message}}, status=405)
            response.allow = ["POST"]
            return response
        try:
            data = json_object(request.body, language=language)
        except Refused as refused:
            return json_response({"errors": refused.errors}, status=refused.status)
        answer = guarded_handler(block, data, suffix)
        return answer if isinstance(answer, Response) else json_response(answer)

    return cast(Handler, XBlock.handler(action))
