"""The session date staff set in the picker, on a deep link or in the staff view
(lti/services/session_dates.py, lti/services/picker.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from koula import BadRequest
from lti.services.picker import custom_parameters, read_choice
from lti.services.session_dates import custom_session_date, parse_session_date


@pytest.mark.parametrize("typed", ["31/02/2026", "2026-02-30", "2026-3-16", "1999-12-31", "soon"])
def test_anything_but_a_real_day_is_refused_in_the_readers_language_and_pattern(typed):
    with pytest.raises(BadRequest) as refused:
        parse_session_date(typed, language="fr")
    assert "jj/mm/aaaa" in refused.value.errors["session_date"]


def test_an_empty_date_is_no_date_and_a_day_is_read():
    assert parse_session_date("  ", language="en") is None
    assert parse_session_date("2026-03-16", language="en") == dt.date(2026, 3, 16)
    assert parse_session_date("16/03/2026", language="fr") == dt.date(2026, 3, 16)


def test_the_pickers_date_goes_on_the_deep_link_as_a_custom_parameter():
    choice = read_choice({"session_date": "2026-03-16"}, language="en")
    assert choice.errors == {} and choice.session_date == dt.date(2026, 3, 16)
    assert custom_parameters(choice)["koula_session_date"] == "2026-03-16"
    assert "koula_session_date" not in custom_parameters(read_choice({}, language="en"))


def test_a_bad_date_in_the_picker_is_an_error_under_its_field_with_the_typed_text_kept():
    choice = read_choice({"session_date": "next monday"}, language="en")
    assert "dd/mm/yyyy" in choice.errors["session_date"]
    assert choice.session_date_text == "next monday"


def test_a_links_bad_date_is_ignored_rather_than_refusing_the_launch():
    assert custom_session_date({"koula_session_date": "2026-03-16"}) == dt.date(2026, 3, 16)
    assert custom_session_date({"koula_session_date": "tomorrow"}) is None
    assert custom_session_date(None) is None
