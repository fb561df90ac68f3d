"""The picker's session date reads in the page's pattern (dd/mm/yyyy, jj/mm/aaaa in French),
whatever the browser's locale: a text field, not the browser's own date field."""

from __future__ import annotations

import html
import re

import pytest

from lti.services.picker import custom_parameters, read_choice
from tests.lti.in_process import make_activity
from tests.lti.views.test_picker_reminder_days import configure

pytestmark = pytest.mark.django_db


def date_input(page: str) -> str:
    return re.search(r'<input id="picker-session_date"[^>]*>', page, re.S).group(0)


@pytest.mark.parametrize(
    ("language", "pattern", "hint"),
    [
        ("en", "dd/mm/yyyy", "Format: dd/mm/yyyy, for example"),
        ("fr", "jj/mm/aaaa", "Format : jj/mm/aaaa, par exemple"),
    ],
)
def test_the_pickers_date_field_asks_for_the_pages_pattern(tool_keys, language, pattern, hint):
    page = html.unescape(
        configure(make_activity(template=None), language, do="preview").content.decode()
    )
    field = date_input(page)
    assert 'type="text"' in field and f'placeholder="{pattern}"' in field
    assert 'inputmode="numeric"' in field
    assert hint in page


def test_a_date_typed_day_first_goes_on_the_deep_link_as_iso_and_a_refused_one_is_kept(tool_keys):
    choice = read_choice({"session_date": "16/03/2026"}, language="fr")
    assert choice.errors == {} and custom_parameters(choice)["koula_session_date"] == "2026-03-16"
    page = html.unescape(
        configure(make_activity(template=None), "fr", session_date="31/02/2026").content.decode()
    )
    assert 'value="31/02/2026"' in date_input(page)
    assert "jj/mm/aaaa" in page
