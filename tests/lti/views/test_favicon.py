"""The tool's icon: linked from every page and answered where browsers look for it."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_the_tools_icon():
    answer = Client().get("/favicon.ico")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/svg+xml"
    assert answer.content.startswith(b"<svg")


def test_a_tool_page_links_the_icon_it_serves():
    page = Client().get("/lti/register").content.decode()

    assert (
        '<link rel="icon" href="https://koula.example.test/lti/static/koula-icon.svg"'
        ' type="image/svg+xml">' in page
    )
    assert Client().get("/lti/static/koula-icon.svg").content.startswith(b"<svg")
