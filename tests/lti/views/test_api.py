"""The learner API's answers (lti/views/api.py, answered by lti/views/errors.py), in process.

Every test runs twice: through Django's test client and the tool's whole middleware stack,
and through the WSGI application the servers run, where :mod:`lti.views.direct` answers
before Django. The page's bearer token is issued as a launch issues it.
"""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError
from django.test import Client

from koula_demo.learner_calls import CARD
from lti.bearer import issue_token
from lti.models import Activity, LearnerRecord
from lti.services import learner
from lti.views.direct import DirectRoutes
from tests.lti.in_process import grant_for, make_activity, make_user, on_postgres
from tests.lti.wsgi_calls import call

pytestmark = pytest.mark.django_db

BODY_ACTIONS = ["save_draft", "submit_deliverable", "shared_cards", "assign_host"]
BAD_BODIES = {
    "100,000 [": b"[" * 100_000,
    "100,000 { nested in objects": b'{"a":' * 100_000,
    "an object nested 40 deep": b'{"values": ' + b'{"a": ' * 40 + b"1" + b"}" * 41,
    "not JSON": b"{values: }",
    "not UTF-8": b'{"values": "\xff\xfe"}',
    "an array": b"[]",
    "a string": b'"values"',
}


ROUTES = {"route": "django"}


@pytest.fixture(autouse=True, params=["django", "direct"])
def route(request):
    """Which way ``post`` sends its requests: Django's test client, or the direct route."""
    ROUTES["route"] = request.param
    yield request.param
    ROUTES["route"] = "django"


def post(activity, action: str, body: bytes | dict, *, token: str | None, **headers: str):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if ROUTES["route"] == "direct":
        return call(
            DirectRoutes(_not_for_django),
            "POST",
            f"/lti/api/{activity.pk}/{action}",
            data,
            **headers,
        )
    return Client().post(
        f"/lti/api/{activity.pk}/{action}", data, content_type="application/json", **headers
    )


def _not_for_django(environ, start_response):
    raise AssertionError(f"the direct route handed {environ['PATH_INFO']} to Django")


def token(activity, user, language: str = "en") -> str:
    return issue_token(grant_for(activity, user, language))


def test_an_action_answers_the_learners_state(activity, ana):
    answer = post(activity, "submit_deliverable", {"values": CARD}, token=token(activity, ana))
    assert answer.status_code == 200
    assert answer.json()["progress"]["activity"] == "InProgress"


@pytest.mark.parametrize("action", BODY_ACTIONS)
@pytest.mark.parametrize("case", list(BAD_BODIES), ids=list(BAD_BODIES))
def test_a_bad_body_answers_400_with_the_errors_object_in_the_learners_language(
    activity, ana, action, case
):
    answer = post(activity, action, BAD_BODIES[case], token=token(activity, ana, "fr"))
    assert answer.status_code == 400, answer.content[:300]
    errors = answer.json()["errors"]
    assert list(errors) == ["_"]
    assert "requête" in errors["_"]  # in French, as the launch asked


def test_a_body_over_the_size_limit_answers_413_with_the_errors_object(activity, ana):
    body = b'{"part": "deliverable", "values": {"problem": "' + b"x" * 3_000_000 + b'"}}'
    answer = post(activity, "save_draft", body, token=token(activity, ana))
    assert answer.status_code == 413
    assert list(answer.json()["errors"]) == ["_"]


@pytest.mark.parametrize("bearer", [None, "forged", "cut"])
def test_a_missing_or_forged_bearer_token_answers_401_in_the_browsers_language(
    activity, ana, bearer
):
    sent = {"cut": token(activity, ana)[:-2] + "xx"}.get(bearer, bearer)
    answer = post(activity, "save_draft", {}, token=sent, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert answer.status_code == 401
    assert answer.json()["errors"]["_"].startswith("Votre accès à cette activité a expiré")


def test_an_unknown_action_answers_404_before_the_token_is_read(activity):
    answer = post(activity, "delete_everything", {}, token=None)
    assert answer.status_code == 404
    assert answer.json() == {"errors": {"_": "Unknown action."}}


def test_a_token_for_another_activity_answers_403(activity, ana):
    other = make_activity(resource_link_id="rl-other")
    answer = post(other, "save_draft", {"part": "deliverable"}, token=token(activity, ana))
    assert answer.status_code == 403
    assert list(answer.json()["errors"]) == ["_"]


def test_refused_values_answer_400_with_each_fields_error_and_are_kept(activity, ana):
    typed = {**CARD, "steps": "not a list"}
    answer = post(activity, "submit_deliverable", {"values": typed}, token=token(activity, ana))
    assert answer.status_code == 400
    assert "steps" in answer.json()["errors"]
    state = LearnerRecord.objects.get(activity=activity, user=ana).state
    assert state["deliverable"]["values"]["practice_name"] == CARD["practice_name"]


def test_an_action_out_of_order_answers_409(activity, ana):
    answer = post(activity, "share_card", {"shared": True}, token=token(activity, ana))
    assert answer.status_code == 409
    assert answer.json()["errors"]


def test_an_activity_not_set_up_answers_409_to_every_call(ana):
    broken = make_activity(resource_link_id="broken", template="no-such-template")
    for action in ("save_draft", "shared_cards"):
        answer = post(broken, action, {}, token=token(broken, ana))
        assert answer.status_code == 409
        assert answer.json()["errors"]["_"].startswith("This activity is not set up yet")


def test_a_database_that_cannot_be_reached_answers_503_to_try_again(activity, ana, monkeypatch):
    def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(learner, "perform", unreachable)
    answer = post(activity, "save_draft", {}, token=token(activity, ana))
    assert answer.status_code == 503 and answer["Retry-After"] == "30"
    assert answer.json()["errors"]["_"].startswith("Koula cannot reach its database")


def test_an_action_on_an_activity_removed_since_answers_404_in_the_learners_language(activity, ana):
    bearer = token(activity, ana, "fr")
    Activity.objects.filter(pk=activity.pk).delete()
    answer = post(activity, "save_draft", {"part": "deliverable", "values": CARD}, token=bearer)
    assert answer.status_code == 404
    assert answer.json()["errors"]["_"].startswith("Cette activité n'existe plus")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_nul_character_typed_in_an_answer_is_left_out_and_the_rest_stored(database, tool_keys):
    def run() -> None:
        activity = make_activity()
        ana = make_user(activity, "ana")
        body = b'{"part": "deliverable", "values": {"practice_name": "Feed\\u0000back"}}'
        answer = post(activity, "save_draft", body, token=token(activity, ana))
        assert answer.status_code == 200
        stored = LearnerRecord.objects.get(activity=activity, user=ana).state
        assert "Feedback" in json.dumps(stored)

    if database == "postgres":
        for _ in on_postgres():
            run()
    else:
        run()
