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
