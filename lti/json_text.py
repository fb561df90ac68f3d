"""JSON written and read with orjson on the hot paths, with the standard library's results.

A learner action decodes the learner's state and encodes it again, writes the score's
payload and answers the new state: with the standard library's ``json`` (the ORM's, and
``JsonResponse``'s) that was a tenth of the action's instructions (issue 14,
``benchmarks/README.md``), which orjson does in a fraction. Each function here gives what
its ``json`` counterpart gives, and hands what orjson would read or write otherwise to that
counterpart: a text orjson refuses (``NaN``, a number beyond a double, a lone surrogate),
a value it refuses (an integer beyond 64 bits, a key that is not a text) and the
values it writes in its own way (date-times, dataclasses) go to ``json``, so those are
written as Django writes them, or refused as Django refuses them. Three differences are
left, none reaching the tool's values (texts, numbers, flags, lists and objects of them):

* the text itself: compact, and UTF-8 where ``json`` escapes to ASCII. Both read back the
  same; a browser's ``JSON.parse`` and PostgreSQL's ``jsonb`` see no difference;
* a float ``NaN`` or infinity is written ``null`` (``json`` writes ``NaN``, which is not
  JSON and which PostgreSQL refuses); a UUID by its text and an enum member by its value
  in a column (``json`` refuses a UUID, and an enum member that is not also a text or a
  number; an answer writes a UUID as orjson does);
* an integer beyond 64 bits is read as a float. A learner's values never hold one: their
  bodies are read with orjson already (:func:`koula.json_object`).

On SQLite a JSON column's text is then not ``json.dumps``'s: an ORM lookup comparing a whole
JSON value (``filter(state={...})``, which compares the texts there) would not find a row
written here. The tool makes no such lookup.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.core.serializers.json import DjangoJSONEncoder

__all__ = ["answer_bytes", "dumps", "loads"]

# Date-times and dataclasses go to ``default`` (none for a column: refused, then to json).
_OWN_WAY = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_ANSWER_DEFAULT = DjangoJSONEncoder().default


def dumps(value: Any) -> str:
    """``value`` as a JSON text that reads back as ``json.dumps(value)`` does (a JSON
    column's), but for a float ``NaN`` or infinity, written ``null``."""
    try:
        return orjson.dumps(value, option=_OWN_WAY).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def loads(text: str | bytes) -> Any:
    """The value of the JSON ``text``, as ``json.loads(text)`` reads it (but for an integer
    beyond 64 bits, read as a float)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def answer_bytes(data: Any) -> bytes:
    """``data`` as a JSON answer's body: what ``JsonResponse(data)`` answers, read back."""
    try:
        return orjson.dumps(data, default=_ANSWER_DEFAULT, option=_OWN_WAY)
    except orjson.JSONEncodeError:
        return json.dumps(data, cls=DjangoJSONEncoder).encode()
