"""The busiest requests answered straight from WSGI, without Django's middleware chain.

The learner actions (``POST /lti/api/<activity>/<action>``), the login and the launch are
what a cohort sends most, and on them Django's own work (its request and response objects,
the middlewares, the URL resolver) weighs as much as the work itself (``benchmarks/
README.md``, "Launches and actions next to a floor tool"). :class:`DirectRoutes` wraps
Django's WSGI application and answers those requests itself:

* an action with the view's own code (:func:`lti.views.api.learner_answer`, the errors of
  :func:`lti.views.errors.refusal_of`), its JSON written here: no request or response
  object at all;
* the login and the launch by calling their views (:data:`VIEWS`) on Django's request, the
  errors answered by :func:`lti.views.errors.error_answer` as the middleware does;

each with the headers the middlewares add, logged as Django logs, the request's start and end
signalled as Django's handler signals them (:class:`lti.views.request_signals.RequestSignals`:
their receivers' work done directly while only Django's own listen). Every other request goes
to Django. ``tests/lti/views/test_direct.py`` checks that both answer alike, byte for byte.

A request goes to Django all the same when the middlewares would do more for it: another
``MIDDLEWARE`` list than :data:`MIDDLEWARE`, an HTTPS redirect, HSTS, refused user agents,
``PREPEND_WWW``, ``ATOMIC_REQUESTS``, a Host that Django might refuse (none, empty, or
``ALLOWED_HOSTS`` restricted), a CSRF cookie (the middleware renews one of the wrong format),
or an action path Django would read differently (anything but ASCII letters, digits and
``_``, an id of more digits than Python reads).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from http.client import responses
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix
from django.utils.log import log_response

from koula import json_object
from lti.json_text import answer_bytes
from lti.logs import HEADER, log_context, request_id_for
from lti.views import launch
from lti.views.api import learner_answer
from lti.views.errors import error_answer, refusal_of
from lti.views.headers import REFERRER_POLICY, add_security_headers
from lti.views.json_body import too_large
from lti.views.language import language_of
from lti.views.request_signals import RequestSignals

__all__ = ["MIDDLEWARE", "VIEWS", "DirectRoutes"]

# The middlewares whose work on a learner API answer this module does itself (lti.settings).
MIDDLEWARE = [
    "lti.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lti.views.headers.SecurityHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "lti.views.admin_only.AdminOnlyMiddleware",
    "lti.views.errors.LtiErrorMiddleware",
]
ACTION_PATH = re.compile(r"/lti/api/([0-9]+)/([a-z_]+)")
NOT_DIRECT = frozenset({"my_data"})  # its own view (lti.views.learner_data)
VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/lti/login": launch.login,
    "/lti/launch": launch.launch,
}


class DirectRoutes:
    """A WSGI application: the requests of the module docstring answered directly, the rest
    by ``django``."""

    def __init__(self, django: WSGIHandler) -> None:
        self.django = django
        self.enabled = _settings_allow()
        self.signals = RequestSignals()
        self.security = SecurityMiddleware(_never_called)
        opener = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
        self.headers = [
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", REFERRER_POLICY),
            *([("Cross-Origin-Opener-Policy", opener)] if opener else []),
        ]

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if self.enabled and _plain(environ):
            path = environ.get("PATH_INFO", "")
            view = VIEWS.get(path)
            if view is not None:
                return self._view(environ, start_response, view)
            found = ACTION_PATH.fullmatch(path)
            if found and found[2] not in NOT_DIRECT and environ.get("REQUEST_METHOD") == "POST":
                try:
                    activity_id = int(found[1])
                except ValueError:  # more digits than Python reads: Django answers 404
                    return self.django(environ, start_response)
                return self._action(environ, start_response, activity_id, found[2])
        return self.django(environ, start_response)

    def _view(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        view: Callable[[HttpRequest], HttpResponse],
    ) -> Iterable[bytes]:
        set_script_prefix(get_script_name(environ))
        self.signals.started(environ)
        response = self.answer(WSGIRequest(environ), view)
        cookies = [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
        start_response(
            f"{response.status_code} {response.reason_phrase}", [*response.items(), *cookies]
        )
        return self.signals.closing(response)  # its close() ends the request

    def answer(
        self, request: HttpRequest, view: Callable[[HttpRequest], HttpResponse]
    ) -> HttpResponse:
        """``view``'s answer to ``request`` as Django's handler and the middlewares make it."""
        request_id = request_id_for(request.META)
        with log_context(request_id=request_id):
            try:
                response = view(request)
            except Exception as exc:
                response = error_answer(request, exc) or response_for_exception(request, exc)
            response._resource_closers.append(request.close)
            if response.status_code >= 400:
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
            self._add_headers(request, response)
        response[HEADER] = request_id
        return response

    def _add_headers(self, request: HttpRequest, response: HttpResponse) -> None:
        """What the middlewares add, in their order (innermost first)."""
        if not response.streaming:
            response.headers.setdefault("Content-Length", str(len(response.content)))
        add_security_headers(request.path_info, response)
        self.security.process_response(request, response)

    def _action(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        activity_id: int,
        action: str,
    ) -> list[bytes]:
        set_script_prefix(get_script_name(environ))
        self.signals.started(environ)
        try:
            request_id = request_id_for(environ)
            with log_context(request_id=request_id):
                status, headers, body = self._answer(environ, activity_id, action)
            headers.append((HEADER, request_id))
            start_response(status, headers)
            return [body]
        finally:
            self.signals.finished()

    def _answer(
        self, environ: dict[str, Any], activity_id: int, action: str
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        language = language_of(environ)
        try:
            answer = learner_answer(
                activity_id,
                action,
                environ.get("HTTP_AUTHORIZATION", ""),
                lambda language: json_object(_body(environ, language), language=language),
                language,
            )
            return self._json(200, answer, [])
        except Exception as exc:
            refusal = refusal_of(exc, environ["PATH_INFO"], lambda: language)
            if refusal is None:  # a bug: answered and logged as Django does
                return self._bug_answer(environ, exc)
            retry = (
                [] if refusal.retry_after is None else [("Retry-After", str(refusal.retry_after))]
            )
            status = refusal.status
            log_response(  # as Django logs every 4xx and 5xx answer, its full path
                "%s: %s",
                responses.get(status, "Unknown Status Code"),
                get_script_name(environ).rstrip("/") + environ["PATH_INFO"],
                response=SimpleNamespace(status_code=status),
            )
            return self._json(status, {"errors": refusal.errors}, retry)

    def _bug_answer(
        self, environ: dict[str, Any], exception: Exception
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """Django's own answer to a bug (logged, its 500 page), with the middlewares' headers."""
        request = WSGIRequest(environ)
        response: HttpResponse = response_for_exception(request, exception)
        self._add_headers(request, response)
        status = f"{response.status_code} {response.reason_phrase}"
        return status, list(response.items()), response.content

    def _json(
        self, status: int, data: dict[str, Any], extra: list[tuple[str, str]]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        body = answer_bytes(data)  # as the learner API's views answer
        headers = [
            ("Content-Type", "application/json"),
            *extra,
            ("Content-Length", str(len(body))),
            *self.headers,
        ]
        return f"{status} {responses.get(status, 'Unknown Status Code')}", headers, body


def _settings_allow() -> bool:
    """True when the middlewares do nothing to a learner API answer but what this module does."""
    return (
        list(settings.MIDDLEWARE) == MIDDLEWARE
        and not settings.SECURE_SSL_REDIRECT
        and not settings.SECURE_HSTS_SECONDS
        and not settings.DISALLOWED_USER_AGENTS
        and not settings.PREPEND_WWW
        and not settings.USE_X_FORWARDED_HOST
        and "*" in settings.ALLOWED_HOSTS
        and settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None
        and not any(database.get("ATOMIC_REQUESTS") for database in settings.DATABASES.values())
    )


def _plain(environ: dict[str, Any]) -> bool:
    """True when the middlewares would do nothing special with the request: Django takes its
    Host (else it answers 400), and it has no CSRF cookie (one of the wrong format makes the
    CSRF middleware set a new one; the tool's pages never set one, the admin site does)."""
    if not _taken_host(environ.get("HTTP_HOST", "")):
        return False
    return settings.CSRF_COOKIE_NAME not in environ.get("HTTP_COOKIE", "")


@lru_cache(maxsize=64)  # a tool answers a few host names
def _taken_host(host: str) -> bool:
    """Whether Django reads a domain in the Host header ``host``."""
    return bool(host) and bool(split_domain_port(host)[0])


def _body(environ: dict[str, Any], language: str) -> bytes:
    """The request's body, as Django reads it; BodyTooLarge over its size cap."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise too_large(language)
    raw: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    return raw


def _never_called(request: Any) -> HttpResponse:
    raise AssertionError("only process_response is used")
