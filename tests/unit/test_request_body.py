"""Reading a learner request's JSON body (koula/request_body.py)."""

from __future__ import annotations

import pytest

from koula import BadRequest, json_object


def test_an_empty_body_and_null_are_no_body():
    assert json_object(b"  ", language="en") is None
    assert json_object(b"null", language="en") is None


def test_nul_characters_are_taken_out_of_every_text_and_key():
    raw = b'{"values": {"practice_\\u0000name": "a\\u0000b", "list": ["\\u0000", "c"]}, "n": 1}'
    assert json_object(raw, language="en") == {
        "values": {"practice_name": "ab", "list": ["", "c"]},
        "n": 1,
    }


def test_a_text_without_nul_is_kept_as_it_came():
    raw = '{"values": {"practice_name": "Zoé \\\\u0000 écrit"}}'
    assert json_object(raw, language="fr") == {"values": {"practice_name": "Zoé \\u0000 écrit"}}


def test_a_body_that_is_not_an_object_is_refused_in_the_readers_language():
    with pytest.raises(BadRequest) as refused:
        json_object(b"[]", language="fr")
    assert refused.value.errors["_"].startswith("La requête")


def nested(levels: int) -> str:
    """An object nesting ``levels`` objects and arrays in all (itself included)."""
    return '{"a":' + "[" * (levels - 1) + "1" + "]" * (levels - 1) + "}"


@pytest.mark.parametrize("as_bytes", [False, True])
def test_a_body_nested_deeper_than_32_levels_is_refused_and_32_are_read(as_bytes):
    def read(text: str):
        return json_object(text.encode() if as_bytes else text, language="en")

    assert read(nested(32)) is not None
    with pytest.raises(BadRequest) as refused:
        read(nested(33))
    assert "32 levels" in refused.value.errors["_"]


def test_brackets_inside_texts_do_not_make_a_body_deep():
    raw = '{"values": {"steps": ["[[[{{{' + "[" * 100 + '", "{"]}}'
    assert json_object(raw, language="en") == {"values": {"steps": ["[[[{{{" + "[" * 100, "{"]}}
