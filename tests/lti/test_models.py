"""The tables (lti/models.py): the migrations make what the models say."""

from __future__ import annotations

import io

import pytest

from tests.lti.in_process import configure

configure()

from django.core.management import call_command  # noqa: E402 - once Django is configured


@pytest.mark.django_db
def test_the_migrations_make_what_the_models_say():
    out = io.StringIO()
    call_command("makemigrations", "koula_lti", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
