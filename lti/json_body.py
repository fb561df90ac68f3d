"""Reading a JSON request body without ever answering 500.

A body is one JSON object or nothing. Anything else raises :class:`BodyRefused`, which
carries the HTTP status and says what is wrong in the person's language: text that is not
JSON or not UTF-8, a value that is not an object, nesting deeper than :data:`MAX_DEPTH`
(the learner API's bodies are three levels deep), or a body over Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413). The standard library's ``json`` recurses, so a
hundred thousand ``[`` raise ``RecursionError`` there; orjson stops at 1024 levels with a
``JSONDecodeError``, and the depth is then checked with a loop, not recursion.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from koula.messages import translate

__all__ = ["MAX_DEPTH", "BodyRefused", "json_body"]

MAX_DEPTH = 32


class BodyRefused(ValueError):
    """A request body that is not one JSON object of reasonable depth and size."""

    def __init__(self, reason: str = "not an object") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = 413 if reason == "too large" else 400

    def message(self, language: str) -> str:
        if self.reason == "too deep":
            return translate(
                language,
                "The request is nested more than {n} levels deep. Send one JSON object "
                "as the learner API describes it.",
            ).format(n=MAX_DEPTH)
        if self.reason == "too large":
            return translate(
                language, "The request is too large. Send your answers in shorter pieces."
            )
        return translate(language, "The request must be a JSON object.")


def json_body(request: HttpRequest) -> dict[str, Any] | None:
    """Return the JSON object the request's body holds (None for no body or ``null``).

    Raise :class:`BodyRefused` for anything else.
    """
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise BodyRefused("too large") from exc
    if not raw.strip():
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BodyRefused("too deep" if "depth" in str(exc) else "not an object") from exc
    if value is not None and not isinstance(value, dict):
        raise BodyRefused()
    if _deeper_than(value, MAX_DEPTH):
        raise BodyRefused("too deep")
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """True when ``value`` nests objects and arrays more than ``limit`` levels (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return False
