"""lti.json_text: orjson's speed with the standard library's results."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import uuid

from tests.lti.in_process import configure

configure()

import pytest  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.utils.translation import gettext_lazy  # noqa: E402

from lti.json_text import answer_bytes, dumps, loads  # noqa: E402

VALUES = [
    None,
    "",
    "Reviews come too late. 🙂 é \u2028",
    0,
    -3,
    2**63 - 1,
    -(2**63),
    1.5,
    0.1 + 0.2,
    1e16,
    -0.0,
    True,
    {},
    [],
    {"deliverable": {"values": {"steps": ["Pick a pair", "é"]}, "draft": None}},
    [1, "two", {"three": 3.0}, [[]]],
]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_written_reads_back_as_json_writes_it(value):
    assert json.loads(dumps(value)) == json.loads(json.dumps(value))
    assert loads(dumps(value)) == value


@pytest.mark.parametrize("value", [2**64, {1: "a key that is not a text"}])
def test_what_orjson_refuses_is_written_by_json(value):
    assert dumps(value) == json.dumps(value)


@pytest.mark.parametrize(
    "value", [dt.datetime(2026, 12, 6, tzinfo=dt.UTC), dt.date(2026, 12, 6), {1j}, object()]
)
def test_what_json_refuses_in_a_column_is_refused(value):
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        dumps(value)


def test_a_uuid_or_an_enum_member_in_a_column_is_written_by_its_value():
    """The documented difference: json refuses both; no tool value holds one."""
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert loads(dumps({"id": key, "part": Colour.RED})) == {"id": str(key), "part": 1}


class Colour(enum.Enum):
    RED = 1


@pytest.mark.parametrize(
    "text", ['{"a": [1, "\\u00e9", 1.5]}', "[1e400]", '"\\ud800 alone"', "NaN", "[Infinity]"]
)
def test_a_text_reads_as_json_reads_it(text):
    assert repr(loads(text)) == repr(json.loads(text))
    assert repr(loads(text.encode())) == repr(json.loads(text))


@pytest.mark.parametrize("text", ["", "{", "[1,]", "'single'"])
def test_a_text_that_is_not_json_is_refused_as_json_refuses_it(text):
    with pytest.raises(json.JSONDecodeError):
        loads(text)


ANSWERS = [
    *VALUES,
    {"errors": {"_": "Votre accès a expiré."}},
    {"at": dt.datetime(2026, 12, 6, 9, 30, 15, 123456, tzinfo=dt.UTC), "on": dt.date(2026, 12, 6)},
    {"id": uuid.UUID("12345678-1234-5678-1234-567812345678"), "amount": decimal.Decimal("1.50")},
    {"message": gettext_lazy("Unknown action.")},
    {"big": 2**70},
]


@pytest.mark.parametrize("data", ANSWERS)
def test_an_answer_reads_back_as_json_response_answers_it(data):
    if not isinstance(data, dict):  # JsonResponse answers objects only
        data = {"value": data}
    assert json.loads(answer_bytes(data)) == json.loads(JsonResponse(data).content)


def test_the_documented_differences_from_json():
    """A float NaN or infinity is written null (json writes NaN, which is not JSON), an
    integer beyond 64 bits is read as a float: no tool value holds either."""
    assert loads(dumps([float("nan"), float("inf")])) == [None, None]
    assert loads("123456789012345678901234567890") == 1.2345678901234568e29
