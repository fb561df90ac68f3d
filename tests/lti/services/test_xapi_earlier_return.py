"""A return sent from a later session's page is an xAPI statement about the earlier session."""

# The fixtures of tests/lti/series_loop.py are imported by name, so tests take them again:
# ruff: noqa: F811
from __future__ import annotations

import pytest

from koula_demo.learner_calls import RETURN
from lti.models import StatementOutbox
from lti.services.earlier_return import run_earlier_return
from lti.services.xapi import activity_iri
from tests.lti.in_process import grant_for
from tests.lti.series_loop import ana, committed, first, second  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


@pytest.fixture
def lrs(settings) -> None:
    settings.KOULA_XAPI_URL = "https://lrs.example.org/xAPI"
    settings.KOULA_XAPI_KEY, settings.KOULA_XAPI_SECRET = "key", "secret"


def test_the_return_is_reported_on_the_earlier_activity(lrs, first, second, ana):
    committed(first, ana)
    body = {"values": RETURN, "session": str(first.pk)}
    run_earlier_return(grant_for(second, ana), second.pk, "submit_return", body)
    row = StatementOutbox.objects.get(verb="reported")
    assert row.activity_id == first.pk
    assert row.statement["object"]["id"] == activity_iri(first)
    assert (
        row.statement["result"]["extensions"][
            f"{activity_iri(first).rsplit('/activities/', 1)[0]}/extensions/revision"
        ]
        is False
    )


def test_a_draft_from_the_later_page_sends_nothing(lrs, first, second, ana):
    committed(first, ana)
    before = StatementOutbox.objects.count()
    body = {"part": "return", "values": {"what_happened": "half"}, "session": str(first.pk)}
    run_earlier_return(grant_for(second, ana), second.pk, "save_draft", body)
    assert StatementOutbox.objects.count() == before
