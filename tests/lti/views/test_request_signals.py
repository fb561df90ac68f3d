"""A direct route's request starts and ends as Django's handler makes it
(lti/views/request_signals.py): the connection closed when its time is up, the queries' log
reset, any other receiver of the two signals called.

Closing is seen on PostgreSQL: Django never closes the tests' in-memory SQLite database."""

# The fixtures of tests/lti/both_databases.py are imported by name, so tests take them again:
# ruff: noqa: F811

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core import signals
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.test import override_settings
from django.urls import get_urlconf, set_urlconf

from lti.bearer import issue_token
from lti.services.raw_rows import database
from lti.views.direct import DirectRoutes
from lti.views.request_signals import RequestSignals
from tests.lti.both_databases import postgres  # noqa: F401 - the fixture
from tests.lti.in_process import CLIENT_ID, ISSUER, grant_for, make_activity, make_user
from tests.lti.wsgi_calls import DjangoSpy, call

pytestmark = pytest.mark.django_db(transaction=True)  # requests here close the connection

DRAFT = json.dumps({"part": "deliverable", "values": {"problem": "Late"}}).encode()


def draft(activity: Any, user: Any, app: Any = None) -> int:
    """The status of a draft saved through the direct route (Django's receivers connected)."""
    token = issue_token(grant_for(activity, user))
    answer = call(
        app or DirectRoutes(DjangoSpy()),
        "POST",
        f"/lti/api/{activity.pk}/save_draft",
        DRAFT,
        keep_connection=False,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    return answer.status_code


def login(app: Any = None) -> int:
    """The status of a login through the direct route (the registered platform's: it reads the
    registration and stores the login)."""
    query = urlencode({"iss": ISSUER, "login_hint": "ana", "client_id": CLIENT_ID})
    answer = call(
        app or DirectRoutes(DjangoSpy()),
        "GET",
        "/lti/login",
        keep_connection=False,
        QUERY_STRING=query,
    )
    return answer.status_code


def connection_age(seconds: int) -> None:
    """Connections made from now on last ``seconds`` (CONN_MAX_AGE; 0 as Django's default:
    one request)."""
    database().close()
    database().settings_dict["CONN_MAX_AGE"] = seconds


@pytest.fixture
def learner(postgres: None) -> tuple[Any, Any]:
    """An activity and its learner, on PostgreSQL."""
    activity = make_activity()
    return activity, make_user(activity, "ana", "Ana")


@pytest.fixture
def heard() -> Iterator[list[tuple[str, Any]]]:
    """What another receiver of the two signals hears (as an APM agent would listen)."""
    calls: list[tuple[str, Any]] = []

    def started(sender: Any, **kwargs: Any) -> None:
        calls.append(("started", sender))

    def finished(sender: Any, **kwargs: Any) -> None:
        calls.append(("finished", sender))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    yield calls
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


def test_an_action_closes_a_connection_whose_time_is_up(learner):
    connection_age(0)
    assert draft(*learner) == 200
    assert database().connection is None


def test_a_connection_within_its_time_stays_open_for_the_next_request(learner):
    connection_age(60)
    assert draft(*learner) == 200
    assert database().connection is not None
    assert login() == 302
    assert database().connection is not None


def test_a_connection_past_its_age_while_idle_is_replaced_when_the_next_request_starts(
    learner,
):
    connection_age(60)
    assert draft(*learner) == 200
    idle = database().connection
    database().close_at = time.monotonic() - 1  # its age reached between two requests
    assert draft(*learner) == 200
    assert database().connection is not None and database().connection is not idle


def test_a_login_closes_a_connection_whose_time_is_up_once_its_answer_is_closed(learner):
    connection_age(0)
    assert login() == 302
    assert database().connection is None


def test_an_action_starts_with_the_queries_log_reset(activity, ana):
    database().queries_log.append({"sql": "SELECT 'from an earlier request'", "time": "0"})
    assert draft(activity, ana) == 200
    assert list(database().queries_log) == []


def test_a_urlconf_left_on_the_thread_is_reset_when_a_request_ends(activity, ana):
    set_urlconf("lti.urls")  # as a request with its own urlconf leaves it
    assert draft(activity, ana) == 200
    assert get_urlconf() is None


def test_another_receiver_hears_both_signals_and_djangos_still_do_their_work(learner, heard):
    connection_age(0)
    app = DirectRoutes(DjangoSpy())
    assert draft(*learner, app) == 200
    assert database().connection is None
    assert login(app) == 302
    assert heard == [("started", WSGIHandler), ("finished", WSGIHandler)] * 2


def test_an_answer_runs_its_resource_closers_then_ends_the_request_when_closed(learner):
    connection_age(0)
    closed: list[str] = []
    response = HttpResponse(b"page")
    response._resource_closers.append(lambda: closed.append("request"))
    response._resource_closers.append(lambda: 1 / 0)  # ignored, as Django ignores it
    response._resource_closers.append(lambda: closed.append("file"))
    answer = RequestSignals().closing(response)
    assert b"".join(answer) == b"page"
    database().ensure_connection()
    answer.close()  # type: ignore[attr-defined]
    assert closed == ["request", "file"]
    assert response.closed
    assert database().connection is None


def test_an_answer_with_its_own_close_is_given_as_it_is(heard):
    class Streamed(HttpResponse):
        def close(self) -> None:
            heard.append(("own close", None))
            super().close()

    answer = RequestSignals().closing(Streamed(b"page"))
    answer.close()  # type: ignore[attr-defined]
    assert heard == [("own close", None), ("finished", WSGIHandler)]


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_the_work_is_done_directly_only_with_one_database_and_caches_that_need_no_closing():
    plain = RequestSignals()
    assert plain.direct(signals.request_started) and plain.direct(signals.request_finished)
    two = {**settings.DATABASES, "reports": settings.DATABASES["default"]}
    with override_settings(DATABASES=two):
        assert not plain.direct(signals.request_started)
    with override_settings(CACHES={"default": {"BACKEND": f"{__name__}.ClosingCache"}}):
        assert not plain.direct(signals.request_finished)
    with override_settings(CACHES={"default": {"BACKEND": "no.such.Cache"}}):
        assert not plain.direct(signals.request_finished)  # Django raises where it is used
    assert plain.direct(signals.request_finished)


def test_another_receiver_makes_both_signals_sent(heard):
    plain = RequestSignals()
    assert not plain.direct(signals.request_started)
    assert not plain.direct(signals.request_finished)


class ClosingCache(LocMemCache):
    """A cache whose close() does work (as memcached's does)."""

    closed = 0

    def close(self, **kwargs: Any) -> None:
        ClosingCache.closed += 1


def test_a_cache_with_its_own_close_is_closed_at_each_requests_end(activity, ana):
    backend = f"{__name__}.ClosingCache"
    app = DirectRoutes(DjangoSpy())  # made before the setting: it follows the change
    with override_settings(CACHES={"default": {"BACKEND": backend}}):
        caches["default"].get("in-use")  # Django closes the caches in use
        ClosingCache.closed = 0
        assert draft(activity, ana, app) == 200
        assert login(app) == 302
        assert ClosingCache.closed == 2
