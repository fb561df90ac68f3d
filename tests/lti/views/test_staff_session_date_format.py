"""The staff view's session date in the page's pattern (issue 12, point 4): the field is text
that reads dd/mm/yyyy (jj/mm/aaaa in French) whatever the browser's locale, and the server
takes that pattern as well as YYYY-MM-DD (lti/services/session_dates.py)."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client
from lxml import html as lxml_html

from lti.bearer import sign_data
from tests.lti.in_process import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(tool_keys):
    make_activity(resource_link_id="s0", context_id="course-1")  # a series: the form shows
    return make_activity(resource_link_id="s1", context_id="course-1")


def post(activity, typed: str, language: str = "en"):
    token = sign_data({"activity": activity.pk, "lang": language, "user": None}, "session-date")
    return Client().post("/lti/session-date", {"token": token, "session_date": typed})


def date_field(answer):
    root = lxml_html.fromstring(answer.content.decode())
    (field,) = root.xpath('//input[@id="session-date-value"]')
    return root, field


@pytest.mark.parametrize("typed", ["24/12/2026", "24-12-2026", "24.12.2026", "2026-12-24"])
def test_staff_type_the_session_date_day_first_or_as_iso(first, typed):
    answer = post(first, typed)

    assert answer.status_code == 200
    first.refresh_from_db()
    assert first.session_date == dt.date(2026, 12, 24)
    assert date_field(answer)[1].get("value") == "24/12/2026"


def test_a_day_and_month_without_leading_zeros_are_read(first):
    post(first, "3/7/2026")

    first.refresh_from_db()
    assert first.session_date == dt.date(2026, 7, 3)


@pytest.mark.parametrize("typed", ["2026/99/99", "31/02/2026", "12/24/2026", "24/12/26", "mars"])
def test_a_session_date_in_no_known_pattern_is_refused_in_french_with_the_typed_value_kept(
    first, typed
):
    answer = post(first, typed, "fr")

    assert answer.status_code == 400
    root, field = date_field(answer)
    assert field.get("value") == typed
    (error,) = root.xpath('//*[@id="session-date-error"]')
    assert "jj/mm/aaaa" in error.text_content()
    assert "session-date-error" in field.get("aria-describedby").split()
    first.refresh_from_db()
    assert first.session_date is None


@pytest.mark.parametrize(("language", "pattern"), [("fr", "jj/mm/aaaa"), ("en", "dd/mm/yyyy")])
def test_the_session_date_field_is_text_that_says_the_pages_pattern(first, language, pattern):
    root, field = date_field(post(first, "2026-03-16", language))

    assert field.get("type") == "text" and field.get("inputmode") == "numeric"
    assert field.get("placeholder") == pattern
    assert field.get("value") == "16/03/2026"
    (hint,) = root.xpath('//*[@id="session-date-format"]')
    assert pattern in html.unescape(hint.text_content())
    assert "session-date-format" in field.get("aria-describedby").split()
