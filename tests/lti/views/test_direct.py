"""The learner actions answered before Django (lti/views/direct.py): the same answers.

(The login and the launch: tests/lti/views/test_launch.py.)

Each request is sent twice from the same database state (rolled back in between): once to
Django's own WSGI handler, the whole middleware stack, once to the direct route in front of
it. Status, headers (in order) and body must be the same, timestamps aside.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, transaction
from django.test import override_settings

from koula_demo.learner_calls import CARD
from lti.bearer import issue_token
from lti.models import Activity
from lti.services import learner
from lti.views.direct import DirectRoutes
from tests.lti.in_process import grant_for, make_activity
from tests.lti.wsgi_calls import Answer, DjangoSpy, call

pytestmark = pytest.mark.django_db

TIMESTAMP = re.compile(rb'"\d{4}-\d\d-\d\dT[0-9:.]+(\+00:00|Z)?"')
REQUEST_ID = {"HTTP_X_REQUEST_ID": "req-1"}


def to_django(
    method: str, path: str, body: bytes = b"{}", **environ: str
) -> tuple[list[str], Answer]:
    """The paths the direct route hands Django for one request, and the answer."""
    spy = DjangoSpy()
    answer = call(DirectRoutes(spy), method, path, body, **environ)
    return spy.paths, answer


def both(path: str, body: bytes | dict[str, Any], **environ: str) -> tuple[Answer, Answer]:
    """The answers of Django and of the direct route to one POST, from the same state."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    spy = DjangoSpy()
    answers = []
    for app in (WSGIHandler(), DirectRoutes(spy)):
        with transaction.atomic():
            answers.append(call(app, "POST", path, data, **{**REQUEST_ID, **environ}))
            transaction.set_rollback(True)
    assert spy.paths == [], "the direct route handed the request to Django"
    return answers[0], answers[1]


def assert_alike(through_django: Answer, direct: Answer) -> None:
    assert direct.status == through_django.status
    assert direct.headers == through_django.headers
    assert TIMESTAMP.sub(b'"<time>"', direct.content) == TIMESTAMP.sub(
        b'"<time>"', through_django.content
    )


def bearer(activity, user, language: str = "en") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(grant_for(activity, user, language))}"}


REQUESTS: dict[str, tuple[str, bytes | dict[str, Any], str]] = {
    # name: (action, body, token: "ana", "ana-fr", "forged" or "none")
    "a draft saved": ("save_draft", {"part": "deliverable", "values": {"problem": "Late"}}, "ana"),
    "a card submitted (its score queued)": ("submit_deliverable", {"values": CARD}, "ana"),
    "refused values (400, kept)": ("submit_deliverable", {"values": {"steps": "x"}}, "ana"),
    "refused values in French": ("submit_deliverable", {"values": {}}, "ana-fr"),
    "out of order (409)": ("share_card", {"shared": True}, "ana"),
    "the community's cards": ("shared_cards", {}, "ana"),
    "an unknown action (404)": ("delete_everything", {}, "none"),
    "no token (401)": ("save_draft", {}, "none"),
    "a forged token (401)": ("save_draft", {}, "forged"),
    "not JSON (400)": ("save_draft", b"{values: }", "ana-fr"),
    "an array (400)": ("save_draft", b"[]", "ana"),
    "nested too deep (400)": ("save_draft", b"[" * 100_000, "ana"),
    "no body": ("save_draft", b"", "ana"),
    "a NUL character": (
        "save_draft",
        b'{"part": "deliverable", "values": {"problem": "a\\u0000b"}}',
        "ana",
    ),
    "over the size cap (413)": ("save_draft", b'{"a": "' + b"x" * 3_000_000 + b'"}', "ana"),
}


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_direct_route_answers_as_django_does(activity, ana, name):
    action, body, who = REQUESTS[name]
    environ = {
        "ana": bearer(activity, ana),
        "ana-fr": bearer(activity, ana, "fr"),
        "forged": {"HTTP_AUTHORIZATION": "Bearer forged"},
        "none": {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"},
    }[who]
    assert_alike(*both(f"/lti/api/{activity.pk}/{action}", body, **environ))


def test_a_token_for_another_activity_answers_403_alike(activity, ana):
    other = make_activity(resource_link_id="rl-other")
    assert_alike(*both(f"/lti/api/{other.pk}/save_draft", {}, **bearer(activity, ana)))


def test_an_activity_removed_since_answers_404_alike(activity, ana):
    token = bearer(activity, ana, "fr")
    Activity.objects.filter(pk=activity.pk).delete()
    assert_alike(*both(f"/lti/api/{activity.pk}/save_draft", {}, **token))


def test_an_activity_not_set_up_answers_409_alike(ana):
    broken = make_activity(resource_link_id="broken", template="no-such-template")
    assert_alike(*both(f"/lti/api/{broken.pk}/save_draft", {}, **bearer(broken, ana)))


def test_a_database_out_of_reach_answers_503_alike_with_retry_after(activity, ana, monkeypatch):
    def unreachable(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(learner, "perform", unreachable)
    through_django, direct = both(f"/lti/api/{activity.pk}/save_draft", {}, **bearer(activity, ana))
    assert_alike(through_django, direct)
    assert direct.status_code == 503 and direct["Retry-After"] == "30"


def test_a_bug_answers_djangos_500_page_with_the_same_headers(activity, ana, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(learner, "perform", broken)
    through_django, direct = both(f"/lti/api/{activity.pk}/save_draft", {}, **bearer(activity, ana))
    assert direct.status_code == 500
    assert direct.content == through_django.content
    assert direct.headers == through_django.headers


@pytest.mark.parametrize("sent", ["not valid!", "abc\n"], ids=["not valid", "ending in a newline"])
def test_a_request_id_is_made_when_none_valid_is_sent(activity, ana, sent):
    answer = call(
        DirectRoutes(DjangoSpy()),
        "POST",
        f"/lti/api/{activity.pk}/save_draft",
        b"{}",
        HTTP_X_REQUEST_ID=sent,
        **bearer(activity, ana),
    )
    assert re.fullmatch(r"[0-9a-f]{32}", answer["X-Request-ID"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/lti/api/{pk}/save_draft"),  # 405 from Django
        ("POST", "/lti/api/{pk}/my_data"),  # its own view
        ("POST", "/lti/api/{pk}/Save-Draft"),  # what Django's resolver decides
        ("POST", "/lti/api/{pk}/save_draft/"),
        ("POST", "/lti/api/x/save_draft"),
        ("POST", "/healthz"),
        ("GET", "/lti/login/"),
        ("POST", "/lti/launch/"),
    ],
)
def test_every_other_request_goes_to_django(activity, ana, method, path):
    path = path.format(pk=activity.pk)
    handed, _ = to_django(method, path, **bearer(activity, ana))
    assert handed == [path]


def test_a_host_django_would_refuse_goes_to_django(activity, ana):
    path = f"/lti/api/{activity.pk}/save_draft"
    handed, answer = to_django("POST", path, HTTP_HOST="bad host!", **bearer(activity, ana))
    assert handed == [path] and answer.status_code == 400


@pytest.mark.parametrize(
    "changed",
    [
        {"SECURE_SSL_REDIRECT": True},
        {"SECURE_HSTS_SECONDS": 3600},
        {"PREPEND_WWW": True},
        {"ALLOWED_HOSTS": ["koula.example.test"]},
        {"MIDDLEWARE": ["lti.logs.RequestIdMiddleware"]},
    ],
    ids=lambda changed: next(iter(changed)),
)
def test_settings_that_ask_more_of_the_middlewares_send_every_request_to_django(
    activity, ana, changed
):
    spy = DjangoSpy()
    path = f"/lti/api/{activity.pk}/save_draft"
    with override_settings(**changed):
        routes = DirectRoutes(spy)
    call(routes, "POST", path, b"{}", **bearer(activity, ana))
    assert spy.paths == [path]


def test_under_a_script_name_prefix_an_api_error_is_json_on_both_routes(activity, ana):
    through_django, direct = both(
        f"/lti/api/{activity.pk}/save_draft", b"[]", SCRIPT_NAME="/koula", **bearer(activity, ana)
    )
    assert_alike(through_django, direct)
    assert direct.status_code == 400 and "errors" in direct.json()


@pytest.mark.parametrize(
    "environ",
    [
        {"HTTP_HOST": ""},  # Django refuses an empty Host (400)
        {"HTTP_COOKIE": "csrftoken=bad"},  # the CSRF middleware renews a malformed cookie
    ],
    ids=["empty Host", "a CSRF cookie"],
)
def test_requests_the_middlewares_treat_apart_go_to_django(activity, ana, environ):
    path = f"/lti/api/{activity.pk}/save_draft"
    handed, _ = to_django("POST", path, **{**bearer(activity, ana), **environ})
    handed_login, _ = to_django("GET", "/lti/login", b"", **environ)
    assert handed + handed_login == [path, "/lti/login"]


def test_an_id_of_more_digits_than_python_reads_gets_djangos_404(activity, ana):
    path = "/lti/api/" + "9" * 5000 + "/save_draft"
    handed, answer = to_django("POST", path, **bearer(activity, ana))
    assert handed == [path] and answer.status_code == 404


def test_atomic_requests_send_every_request_to_django(activity, ana, monkeypatch):
    from django.conf import settings

    monkeypatch.setitem(settings.DATABASES["default"], "ATOMIC_REQUESTS", True)
    assert not DirectRoutes(DjangoSpy()).enabled


def test_a_refusal_is_logged_as_django_logs_it_with_the_full_path(activity, caplog):
    lines = []
    for app in (WSGIHandler(), DirectRoutes(DjangoSpy())):
        caplog.clear()
        with caplog.at_level("WARNING", logger="django.request"):
            call(app, "POST", f"/lti/api/{activity.pk}/delete_all", b"{}", SCRIPT_NAME="/koula")
        lines.append([r.getMessage() for r in caplog.records if r.name == "django.request"])
    assert lines[1] == lines[0] == [f"Not Found: /koula/lti/api/{activity.pk}/delete_all"]
