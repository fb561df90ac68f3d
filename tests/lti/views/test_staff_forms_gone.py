"""A staff form sent after what it names was deleted (lti/services/staff_forms.py): the
staff view's session date and hand-over, first-launch setup, and deep linking answer 404
with a page in the staff member's language, never a 500."""

from __future__ import annotations

import html

import pytest
from django.test import Client

from lti.models import Activity, Registration
from tests.lti.in_process import make_activity
from tests.lti.views.forms import deep_link_token, form_token

pytestmark = pytest.mark.django_db

GONE_FR = "Cette activité n’est plus dans Koula"


@pytest.fixture
def deleted(tool_keys):
    """The id of an activity deleted after its staff page was opened."""
    activity = make_activity(context_id="course-1")
    pk = activity.pk
    activity.delete()
    return pk


def text_of(answer) -> str:
    return html.unescape(answer.content.decode())


@pytest.mark.parametrize("typed", ["2026-03-16", "not a date"])
def test_a_session_date_for_a_deleted_activity_answers_404_in_the_staff_members_language(
    deleted, typed
):
    form = {"token": form_token(deleted, "session-date", "fr"), "session_date": typed}
    answer = Client().post("/lti/session-date", form)
    assert answer.status_code == 404 and answer["Content-Language"] == "fr"
    assert GONE_FR in text_of(answer)


def test_a_hand_over_for_a_deleted_activity_answers_404_in_the_staff_members_language(deleted):
    form = {"token": form_token(deleted, "next-host", "fr"), "next_host": "Ana"}
    answer = Client().post("/lti/next-host", form)
    assert answer.status_code == 404 and GONE_FR in text_of(answer)


def test_setting_up_a_deleted_activity_answers_404_and_creates_nothing(deleted):
    form = {"token": form_token(deleted, "configure", "fr"), "do": "save"}
    answer = Client().post("/lti/configure", form)
    assert answer.status_code == 404 and GONE_FR in text_of(answer)
    assert not Activity.objects.filter(pk=deleted).exists()


def test_adding_an_activity_for_a_removed_platform_answers_404_in_the_staff_members_language(
    tool_keys,
):
    registration = make_activity().deployment.registration
    token = deep_link_token(registration.pk, "fr")
    Registration.objects.filter(pk=registration.pk).delete()
    answer = Client().post("/lti/deep-link", {"token": token, "do": "save"})
    assert answer.status_code == 404
    assert "Cette plateforme n’est plus enregistrée dans Koula" in text_of(answer)
