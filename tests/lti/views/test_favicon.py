"""The tool's icon: linked from every page and answered where browsers look for it."""

from __future__ import annotations

import pytest
from django.test import Client

from koula_ui.assets import hashed_name

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_the_tools_icon():
    answer = Client().get("/favicon.ico")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/svg+xml"
    assert answer.content.startswith(b"<svg")


def test_a_tool_page_links_the_icon_it_serves():
    page = Client().get("/lti/register").content.decode()

    icon = hashed_name("koula-icon.svg")  # its hashed name, kept a year (test_static_assets)
    assert (
        f'<link rel="icon" href="https://koula.example.test/lti/static/{icon}"'
        ' type="image/svg+xml">' in page
    )
    assert Client().get(f"/lti/static/{icon}").content.startswith(b"<svg")
