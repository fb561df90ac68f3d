"""Reading a learner request's JSON body without ever failing with a server error.

Both adapters read the bodies of the learner actions here (``docs/learner-api.md``): a body
is one JSON object, or nothing. Anything else raises :class:`~koula.errors.BadRequest` (400)
in the reader's language: text that is not JSON or not UTF-8, a value that is not an
object, or nesting deeper than :data:`MAX_DEPTH` (the learner actions' bodies are three
levels deep). The standard library's ``json`` recurses, so a hundred thousand ``[`` raise
``RecursionError`` there; orjson stops at 1024 levels with a ``JSONDecodeError``, and the
depth is then checked with a loop, not recursion. NUL characters (``\\u0000``) are taken out
of every text: PostgreSQL refuses them in JSON, and nobody types one.
"""

from __future__ import annotations

from typing import Any

import orjson

from koula.errors import BadRequest
from koula.messages import N_, translate

__all__ = ["MAX_DEPTH", "json_object"]

MAX_DEPTH = 32
NUL_ESCAPE = b"\\u0000"  # how JSON writes a NUL character, which no database stores in JSON
NOT_AN_OBJECT = N_("The request must be a JSON object.")
TOO_DEEP = N_(
    "The request is nested more than {n} levels deep. Send one JSON object "
    "as the learner API describes it."
)


def json_object(raw: bytes | str, *, language: str | None) -> dict[str, Any] | None:
    """Return the JSON object ``raw`` holds, or None for an empty body or ``null``.

    Raise :class:`~koula.errors.BadRequest` for anything else, in ``language``.
    """
    if not raw.strip():
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _refused(language, too_deep="depth" in str(exc)) from exc
    if value is not None and not isinstance(value, dict):
        raise _refused(language)
    if _openers(raw) > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise _refused(language, too_deep=True)
    if value is not None and NUL_ESCAPE in (raw.encode() if isinstance(raw, str) else raw):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def _without_nul(value: Any) -> Any:
    """``value`` with every NUL character taken out of its texts and keys (depth is checked)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def _refused(language: str | None, *, too_deep: bool = False) -> BadRequest:
    if too_deep:
        return BadRequest({"_": translate(language, TOO_DEEP).format(n=MAX_DEPTH)})
    return BadRequest({"_": translate(language, NOT_AN_OBJECT)})


def _openers(raw: bytes | str) -> int:
    """How many ``[`` and ``{`` ``raw`` holds: no value in it nests deeper (most bodies hold
    a few, and need no walk)."""
    if isinstance(raw, str):
        return raw.count("[") + raw.count("{")
    return raw.count(b"[") + raw.count(b"{")


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
