"""The one place errors become answers (lti/views/errors.py): pages outside the learner API."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from koula import BadRequest, NotPermitted
from lti.errors import LaunchRefused
from lti.views.errors import error_answer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("form", "status"), [("/lti/configure", 400), ("/lti/deep-link", 400), ("/lti/next-host", 403)]
)
def test_a_staff_form_with_an_expired_token_answers_a_page_in_the_browsers_language(form, status):
    answer = Client().post(form, {"token": "forged"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == status
    assert answer["Content-Type"].startswith("text/html")
    assert answer["Content-Language"] == "fr"
    assert "Ce formulaire a expiré" in answer.content.decode()


def test_a_launch_refused_is_a_page_in_the_launchs_language_with_no_detail():
    request = RequestFactory().post("/lti/launch")
    refused = LaunchRefused("Lancement refusé.", language="fr", detail="nonce already used")
    answer = error_answer(request, refused)
    assert answer.status_code == 400 and answer["Content-Language"] == "fr"
    page = answer.content.decode()
    assert "Lancement refusé." in page and "nonce" not in page


def test_the_cores_refusal_on_a_page_shows_its_message_with_its_status():
    request = RequestFactory().post("/lti/next-host", HTTP_ACCEPT_LANGUAGE="en")
    answer = error_answer(request, NotPermitted({"_": "Not yours to do."}))
    assert answer.status_code == 403 and "Not yours to do." in answer.content.decode()
    api = RequestFactory().post("/lti/api/1/assign_host")
    answer = error_answer(api, BadRequest({"next_host": "Type a name."}))
    assert answer.status_code == 400
    assert json.loads(answer.content) == {"errors": {"next_host": "Type a name."}}


def test_a_database_that_cannot_be_reached_answers_a_503_page_to_try_again():
    request = RequestFactory().get("/lti/report/x", HTTP_ACCEPT_LANGUAGE="fr")
    answer = error_answer(request, OperationalError("connection refused"))
    assert answer.status_code == 503 and answer["Retry-After"] == "30"
    assert answer["Content-Type"].startswith("text/html")


def test_any_other_exception_is_left_to_django():
    assert error_answer(RequestFactory().get("/"), KeyError("bug")) is None
