"""The login and the launch in process (lti/views/launch.py, lti/services/login.py,
lti/services/id_token.py), on SQLite and on PostgreSQL: a launch opens the activity page for
the browser that logged in, every state and nonce opens one launch only, a platform's login
opens none of another's launches, a learner's first launches at once make one learner, and
a launch runs the few statements written for it.

Every test runs twice: through Django's test client and its middlewares, and through a
client whose login and launch are answered as :mod:`lti.views.direct` answers them in
``lti.wsgi`` (the ``route`` fixture swaps this module's ``Client``)."""

# The fixture of tests/lti/both_databases.py is imported by name, so tests take it again:
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import threading
import time
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lti.claims import CLAIM
from lti.models import Deployment, LaunchState, LtiUser, Registration
from lti.services import activities, login, nonces
from lti.views.direct import DirectRoutes
from tests.lti.both_databases import database  # noqa: F401 - the fixture
from tests.lti.in_process import CLIENT_ID, DEPLOYMENT_ID, ISSUER, make_activity
from tests.lti.wsgi_calls import Answer, DirectClient, DjangoSpy, call

pytestmark = pytest.mark.django_db(transaction=True)

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
STATE_COOKIE = "koula_lti_state"
PAGE = b'id="koula-context"'


@pytest.fixture(autouse=True, params=["django", "direct"])
def route(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which client the tests' ``Client()`` makes: Django's, or the direct route's."""
    if request.param == "direct":
        monkeypatch.setitem(globals(), "Client", DirectClient)
    return str(request.param)


class Platform:
    """A platform registered with the tool: its key signs the id_tokens (the tool reads the
    public key from its keyset, answered in process), and an activity of one course."""

    def __init__(self, issuer: str = ISSUER, kid: str = "platform-key") -> None:
        self.issuer, self.kid = issuer, kid
        self.activity = make_activity(context_id="course-1") if issuer == ISSUER else None

    def login(self, client: Client, sub: str, **extra: str) -> dict[str, str]:
        """The login; the authentication request the tool sends the browser to."""
        params = {"iss": self.issuer, "login_hint": sub, "target_link_uri": "x"}
        answer = client.get("/lti/login", {**params, "client_id": CLIENT_ID, **extra})
        assert answer.status_code in (200, 302), answer.content
        if answer.status_code == 200:  # the page keeping a value in the platform's storage
            return dict(parse_qsl(urlsplit(_storage(answer.content.decode())["next"]).query))
        client.cookies[STATE_COOKIE] = answer.cookies.get(STATE_COOKIE) or _cookie(answer)
        return dict(parse_qsl(urlsplit(answer["Location"]).query))

    def id_token(self, auth: dict[str, str], sub: str, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": auth.get("nonce", "n"),
            "name": f"Learner {sub}",
            CLAIM["version"]: "1.3.0",
            CLAIM["message_type"]: "LtiResourceLinkRequest",
            CLAIM["deployment_id"]: DEPLOYMENT_ID,
            CLAIM["target_link_uri"]: "x",
            CLAIM["roles"]: [LEARNER],
            CLAIM["resource_link"]: {"id": "rl-1", "title": "Pair review"},
            CLAIM["context"]: {"id": "course-1"},
            CLAIM["launch_presentation"]: {"locale": "en"},
            CLAIM["custom"]: {"koula_template": "default-koula"},
            **claims,
        }
        return jwt.encode(payload, KEY, algorithm="RS256", headers={"kid": self.kid})

    def launch(self, client: Client, sub: str, **claims: Any) -> Any:
        """A whole login and launch of ``sub`` in the browser ``client``."""
        auth = self.login(client, sub)
        return post(client, self.id_token(auth, sub, **claims), auth["state"])


def post(client: Client, id_token: str, state: str) -> Any:
    return client.post("/lti/launch", {"id_token": id_token, "state": state})


def _cookie(answer: Any) -> str:
    return answer["Set-Cookie"].split(";")[0].split("=", 1)[1]


def _storage(page: str) -> dict[str, str]:
    start = page.index('id="koula-storage">') + len('id="koula-storage">')
    return dict(json.loads(page[start : page.index("</script>", start)]))


class Keyset:
    def raise_for_status(self) -> None:
        pass

    def json(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
        return {"keys": [{**public, "kid": kid} for kid in ("platform-key", "other-key")]}


@pytest.fixture
def platform(database: str, monkeypatch: pytest.MonkeyPatch) -> Platform:
    monkeypatch.setattr("lti.platform_keys.http_get", lambda *args, **kwargs: Keyset())
    return Platform()


def test_the_browser_that_logged_in_opens_the_activity(platform):
    answer = platform.launch(Client(), "ana")
    assert answer.status_code == 200 and PAGE in answer.content
    assert not LaunchState.objects.exists()  # the login is spent


def test_a_replayed_launch_is_refused(platform):
    client = Client()
    auth = platform.login(client, "ana")
    token = platform.id_token(auth, "ana")
    assert PAGE in post(client, token, auth["state"]).content
    again = post(client, token, auth["state"])
    assert again.status_code == 400 and PAGE not in again.content


def test_a_captured_id_token_with_a_fresh_login_is_refused(platform):
    client = Client()
    auth = platform.login(client, "ana")
    token = platform.id_token(auth, "ana")
    assert PAGE in post(client, token, auth["state"]).content
    fresh = platform.login(client, "ana")
    answer = post(client, token, fresh["state"])
    assert answer.status_code == 400 and PAGE not in answer.content


def test_an_expired_login_opens_nothing(platform):
    client = Client()
    auth = platform.login(client, "ana")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    LaunchState.objects.filter(state=auth["state"]).update(expires_at=past)
    answer = post(client, platform.id_token(auth, "ana"), auth["state"])
    assert answer.status_code == 400 and PAGE not in answer.content


def test_a_login_through_platform_storage_is_not_spent_by_a_state_cookie(platform):
    client = Client()
    auth = platform.login(client, "ana", lti_storage_target="_parent")
    client.cookies[STATE_COOKIE] = auth["state"]  # no login through storage sets one
    answer = post(client, platform.id_token(auth, "ana"), auth["state"])
    assert answer.status_code == 400 and PAGE not in answer.content
    assert LaunchState.objects.filter(state=auth["state"]).exists()


def test_another_platforms_login_opens_none_of_this_platforms_launches(platform):
    other = Platform("https://other-lms.example.test", kid="other-key")
    registration = Registration.objects.get(issuer=ISSUER)
    Registration.objects.create(
        issuer=other.issuer,
        client_id=CLIENT_ID,
        auth_login_url=f"{other.issuer}/auth",
        auth_token_url=f"{other.issuer}/token",
        keyset_url=f"{other.issuer}/jwks",
    )
    client = Client()
    auth = other.login(client, "ana")  # the other platform's login, this platform's token
    answer = post(client, platform.id_token(auth, "ana"), auth["state"])
    assert answer.status_code == 400 and PAGE not in answer.content
    assert not LtiUser.objects.filter(registration=registration).exists()


def test_an_unknown_deployment_opens_only_where_the_platform_accepts_new_ones(platform):
    claims = {CLAIM["deployment_id"]: "deployment-2"}
    assert platform.launch(Client(), "ana", **claims).status_code == 400
    Registration.objects.filter(issuer=ISSUER).update(accept_new_deployments=True)
    assert PAGE in platform.launch(Client(), "ana", **claims).content
    assert Deployment.objects.filter(deployment_id="deployment-2").count() == 1


def test_a_learners_name_and_language_follow_their_latest_launch(platform):
    assert PAGE in platform.launch(Client(), "ana").content
    locale = {CLAIM["launch_presentation"]: {"locale": "fr-CA"}}
    assert PAGE in platform.launch(Client(), "ana", name="Ana Lopez", **locale).content
    unsaid = {CLAIM["launch_presentation"]: {}, "email": "a@x"}  # no locale: French stays
    assert PAGE in platform.launch(Client(), "ana", name="Ana Lopez", **unsaid).content
    user = LtiUser.objects.get(sub="ana")
    assert (user.name, user.email, user.language) == ("Ana Lopez", "a@x", "fr")


# On PostgreSQL only: SQLite runs one write at a time, PostgreSQL runs them side by side.
@pytest.mark.parametrize("database", ["postgres"], indirect=True)
def test_a_learners_first_launches_at_once_make_one_learner(platform, monkeypatch, database):
    both_looked = threading.Barrier(2, timeout=10)
    real = activities.insert

    def insert_when_both_looked(*args: Any, **kwargs: Any) -> Any:
        both_looked.wait()  # each launch found no learner: both insert
        return real(*args, **kwargs)

    monkeypatch.setattr(activities, "insert", insert_when_both_looked)
    clients = [Client(), Client()]
    launches = [(client, platform.login(client, "ben")) for client in clients]
    answers: list[Any] = []

    def launch(client: Client, auth: dict[str, str]) -> None:
        try:
            answers.append(post(client, platform.id_token(auth, "ben"), auth["state"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=launch, args=pair) for pair in launches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert [PAGE in answer.content for answer in answers] == [True, True]
    assert LtiUser.objects.filter(sub="ben").count() == 1


@pytest.fixture
def no_cleanup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Expired logins and nonces are removed once a minute (not counted here)."""
    for module in (login, nonces):
        monkeypatch.setattr(module, "now_and_then", lambda name, work: None)


def statements(call: Any) -> list[str]:
    with CaptureQueriesContext(connection) as done:
        call()
    return [query["sql"] for query in done.captured_queries]


def test_a_login_runs_two_statements(platform, no_cleanup):
    said = statements(lambda: platform.login(Client(), "ana"))
    assert len(said) <= 2, "\n".join(said)  # the registration, the login in flight


@pytest.mark.parametrize("known", [True, False], ids=["known learner", "new learner"])
def test_a_launch_runs_seven_statements(platform, known, no_cleanup):
    # A first launch reads the platform's keys and the framing platforms into the caches.
    assert PAGE in platform.launch(Client(), "ana" if known else "ben").content
    client = Client()
    auth = platform.login(client, "ana")
    token = platform.id_token(auth, "ana")
    said = statements(lambda: post(client, token, auth["state"]))
    # The login spent, the platform and deployment, the nonce, the activity, the learner
    # (read; made when new), their rows in the series (when known), the framing platforms.
    assert len(said) <= 7, "\n".join(said)


def test_an_exp_beyond_any_date_is_refused_with_a_page_not_a_server_error(platform):
    answer = platform.launch(Client(), "ana", exp=253_402_300_800)  # 10000-01-01
    assert answer.status_code == 400 and PAGE not in answer.content


def test_times_written_as_digits_are_read_as_pyjwt_reads_them(platform):
    now = int(time.time())
    answer = platform.launch(Client(), "ana", iat=str(now), exp=str(now + 300))
    assert answer.status_code == 200 and PAGE in answer.content


@pytest.mark.parametrize(
    "deployment_id", ["d\ud800", "dep\x00loyment", "d" * 256], ids=["surrogate", "nul", "long"]
)
def test_a_deployment_id_no_platform_could_register_is_refused_with_a_page(platform, deployment_id):
    answer = platform.launch(Client(), "ana", **{CLAIM["deployment_id"]: deployment_id})
    assert answer.status_code == 400 and PAGE not in answer.content


@pytest.mark.parametrize("state", ["st\x00ate", "state with spaces", "s" * 101])
def test_a_state_this_tool_never_issues_is_refused_with_a_page(platform, state):
    client = Client()
    auth = platform.login(client, "ana")
    answer = post(client, platform.id_token(auth, "ana"), state)
    assert answer.status_code == 400 and PAGE not in answer.content
    assert PAGE in post(client, platform.id_token(auth, "ana"), auth["state"]).content


@pytest.mark.parametrize("name", ["iss", "login_hint", "target_link_uri", "lti_message_hint"])
def test_a_login_parameter_with_a_nul_character_is_refused_with_a_page(platform, name):
    params = {"iss": ISSUER, "login_hint": "ana", "target_link_uri": "x", "client_id": CLIENT_ID}
    answer = Client().get("/lti/login", {**params, name: "a\x00b"})
    assert answer.status_code == 400 and b"malformed" in answer.content


# -- lti.wsgi: the direct route and Django's handler answer alike -------------------------

# The page's bearer token and its links carry the time and the learner's id (which
# PostgreSQL's sequences do not take back on rollback).
NOT_RANDOM = re.compile(rb'("token": "|/lti/calendar/|/lti/my-data/)[^"]+(")')


def wsgi_login_and_launch(app: Any, platform: Platform, *, storage: bool = False) -> list[Answer]:
    """A login and a launch over WSGI, from the same state (rolled back after): the answers.
    The login's state and nonce come from a counter, the same for each application."""
    counter = itertools.count()
    with (
        mock.patch.object(
            login.secrets, "token_urlsafe", lambda n: f"not-random-{next(counter):033d}"
        ),
        transaction.atomic(),
    ):
        query = urlencode(
            {"iss": ISSUER, "login_hint": "ana", "target_link_uri": "x", "client_id": CLIENT_ID}
            | ({"lti_storage_target": "_parent"} if storage else {})
        )
        began = call(app, "GET", "/lti/login", QUERY_STRING=query, HTTP_X_REQUEST_ID="r-1")
        state, nonce = "not-random-" + "0" * 33, "not-random-" + "0" * 32 + "1"
        token = platform.id_token({"nonce": nonce}, "ana")
        form = urlencode({"id_token": token, "state": state}).encode()
        cookie = {"HTTP_COOKIE": f"{STATE_COOKIE}={state}"} if not storage else {}
        launched = call(
            app,
            "POST",
            "/lti/launch",
            form,
            CONTENT_TYPE="application/x-www-form-urlencoded",
            HTTP_X_REQUEST_ID="r-2",
            **cookie,
        )
        transaction.set_rollback(True)
    return [began, launched]


@pytest.mark.parametrize("storage", [False, True], ids=["state cookie", "platform storage"])
def test_the_direct_route_logs_in_and_launches_as_django_does(platform, storage, route):
    spy = DjangoSpy()
    through_django = wsgi_login_and_launch(WSGIHandler(), platform, storage=storage)
    direct = wsgi_login_and_launch(DirectRoutes(spy), platform, storage=storage)
    assert spy.paths == []
    for django_answer, direct_answer in zip(through_django, direct, strict=True):
        assert direct_answer.status == django_answer.status
        assert direct_answer.headers == django_answer.headers
        assert NOT_RANDOM.sub(rb"\1\2", direct_answer.content) == NOT_RANDOM.sub(
            rb"\1\2", django_answer.content
        )
    assert [answer.status_code for answer in direct] == [200 if storage else 302, 200]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/lti/launch", b"id_token=x&state=y"),  # refused: a 400 page
        ("POST", "/lti/launch", b""),
        ("GET", "/lti/launch", b""),  # 405
        ("GET", "/lti/login", b""),  # no parameters: 400
        ("PUT", "/lti/login", b""),
    ],
)
def test_refused_logins_and_launches_answer_alike(platform, method, path, body, route):
    answers = [
        call(
            app,
            method,
            path,
            body,
            CONTENT_TYPE="application/x-www-form-urlencoded",
            HTTP_X_REQUEST_ID="r-1",
            HTTP_ACCEPT_LANGUAGE="fr",
        )
        for app in (WSGIHandler(), DirectRoutes(WSGIHandler()))
    ]
    assert answers[1].status == answers[0].status and answers[0].status_code >= 400
    assert answers[1].headers == answers[0].headers
    assert answers[1].content == answers[0].content


def test_a_bug_in_the_launch_answers_djangos_500_page_alike(platform, route, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("lti.views.launch.validate_launch", broken)
    form = b"id_token=x&state=" + b"s" * 43
    cookie = {"HTTP_COOKIE": f"{STATE_COOKIE}={'s' * 43}"}
    answers = [
        call(app, "POST", "/lti/launch", form, CONTENT_TYPE="application/x-www-form-urlencoded",
             HTTP_X_REQUEST_ID="r-1", **cookie)
        for app in (WSGIHandler(), DirectRoutes(WSGIHandler()))
    ]  # fmt: skip
    assert [answer.status_code for answer in answers] == [500, 500]
    assert answers[1].headers == answers[0].headers
    assert answers[1].content == answers[0].content
