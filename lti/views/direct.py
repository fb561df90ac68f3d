"""The learner actions answered straight from WSGI, without Django's request cycle.

``POST /lti/api/<activity>/<action>`` is what a cohort sends most, and on it Django's own
work (its request and response objects, the middlewares, the URL resolver) cost more than
the action itself (``benchmarks/README.md``, "Launch and action cost"). :class:`DirectRoutes`
wraps Django's WSGI application: it answers those requests itself, with the same code as
the view (:func:`lti.views.api.learner_answer`, the errors of
:func:`lti.views.errors.refusal_of`) and the headers the middlewares add, and hands every
other request to Django. ``tests/lti/views/test_direct.py`` checks that both answer alike,
byte for byte.

A request goes to Django all the same when the middlewares would do more for it: another
``MIDDLEWARE`` list than :data:`MIDDLEWARE`, an HTTPS redirect, HSTS, refused user agents,
``PREPEND_WWW``, a Host that ``ALLOWED_HOSTS`` might refuse, or a path Django would decode
differently (anything but ASCII letters, digits and ``_``).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from http.client import responses
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.middleware.security import SecurityMiddleware
from django.urls import set_script_prefix

from koula import json_object
from koula.messages import pick_language
from lti.logs import HEADER, VALID_REQUEST_ID, log_context
from lti.views.api import learner_answer
from lti.views.errors import refusal_of
from lti.views.headers import REFERRER_POLICY, add_security_headers
from lti.views.json_body import too_large

__all__ = ["MIDDLEWARE", "DirectRoutes"]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

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


class DirectRoutes:
    """A WSGI application: the learner actions answered directly, the rest by ``django``."""

    def __init__(self, django: WSGIHandler) -> None:
        self.django = django
        self.enabled = _settings_allow()
        opener = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY
        self.headers = [
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", REFERRER_POLICY),
            *([("Cross-Origin-Opener-Policy", opener)] if opener else []),
        ]

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if self.enabled and environ.get("REQUEST_METHOD") == "POST":
            found = ACTION_PATH.fullmatch(environ.get("PATH_INFO", ""))
            if found and found[2] not in NOT_DIRECT and _plain_host(environ):
                return self._action(environ, start_response, int(found[1]), found[2])
        return self.django(environ, start_response)

    def _action(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        activity_id: int,
        action: str,
    ) -> list[bytes]:
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=WSGIHandler, environ=environ)
        try:
            incoming = environ.get("HTTP_X_REQUEST_ID", "")
            request_id = incoming if VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
            with log_context(request_id=request_id):
                status, headers, body = self._answer(environ, activity_id, action)
            headers.append((HEADER, request_id))
            start_response(status, headers)
            return [body]
        finally:
            signals.request_finished.send(sender=WSGIHandler)

    def _answer(
        self, environ: dict[str, Any], activity_id: int, action: str
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        language = _language(environ)
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
                return _django_answer(environ, exc)
            retry = (
                [] if refusal.retry_after is None else [("Retry-After", str(refusal.retry_after))]
            )
            return self._json(refusal.status, {"errors": refusal.errors}, retry)

    def _json(
        self, status: int, data: dict[str, Any], extra: list[tuple[str, str]]
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        body = json.dumps(data, cls=DjangoJSONEncoder).encode()  # as JsonResponse encodes
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
    )


def _plain_host(environ: dict[str, Any]) -> bool:
    """True when Django would take the request's Host (else it answers 400 itself)."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    return bool(split_domain_port(host)[0])


def _language(environ: dict[str, Any]) -> str:
    """As :func:`lti.views.language.request_language`, from the WSGI environ."""
    header = environ.get("HTTP_ACCEPT_LANGUAGE", "")
    return pick_language(*[part.split(";")[0].strip() for part in header.split(",")])


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


def _django_answer(
    environ: dict[str, Any], exception: Exception
) -> tuple[str, list[tuple[str, str]], bytes]:
    """Django's own answer to a bug (logged, its 500 page), with the middlewares' headers."""
    request = WSGIRequest(environ)
    response: HttpResponse = response_for_exception(request, exception)
    add_security_headers(request.path, response)
    SecurityMiddleware(_never_called).process_response(request, response)
    response.headers.setdefault("Content-Length", str(len(response.content)))
    status = f"{response.status_code} {response.reason_phrase}"
    return status, list(response.items()), response.content


def _never_called(request: Any) -> HttpResponse:
    raise AssertionError("only process_response is used")
