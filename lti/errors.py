"""The tool's errors and the one place that turns them into responses.

Hierarchy::

    LtiError                 -> 400 page (or JSON under /lti/api/)
    ├── LaunchRefused        a bad, forged or replayed launch        -> 400
    ├── RegistrationFailed   dynamic registration could not finish   -> 400
    │   └── RegistrationBusy every registration slot is taken        -> 503 (Retry-After)
    ├── NotAuthenticated     no or expired bearer token              -> 401
    ├── NotAllowed           a token used outside what it grants     -> 403
    └── InvitationRefused    registration without an open invitation -> 403 (its own page)

Each carries a message for a person, already in their language. No view
catches these itself: :class:`LtiErrorMiddleware` renders them, so a bad
request can never become a 500 and never opens a session. The middleware also
answers 503 (with ``Retry-After``) when the database or Redis cannot be reached,
a fault of the moment rather than of the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from koula.messages import translate
from lti.logs import loggable_path
from lti.rendering import page
from lti.views.language import request_language

__all__ = [
    "InvitationRefused",
    "LaunchRefused",
    "LtiError",
    "LtiErrorMiddleware",
    "NotAllowed",
    "NotAuthenticated",
    "RegistrationBusy",
    "RegistrationFailed",
]

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


def _unavailable(exception: Exception) -> bool:
    """Return True for a database or Redis that cannot be reached (not a bad request)."""
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    try:
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisSlow
    except ImportError:  # no Redis client: Redis is not configured
        return False
    return isinstance(exception, RedisDown | RedisSlow)


class LtiError(Exception):
    status = 400
    template = "error.html"  # the page shown, given ``message``
    retry_after: int | None = None  # seconds, sent as Retry-After when set

    def __init__(self, message: str, *, language: str = "en", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.language = language
        self.detail = detail


class LaunchRefused(LtiError):
    status = 400


class RegistrationFailed(LtiError):
    status = 400


class RegistrationBusy(RegistrationFailed):
    """Too many dynamic registrations at once in this process: try again soon."""

    status = 503
    retry_after = RETRY_AFTER_SECONDS


class NotAuthenticated(LtiError):
    status = 401


class NotAllowed(LtiError):
    status = 403


class InvitationRefused(LtiError):
    """Dynamic registration without an open invitation: the page says how to get one."""

    status = 403
    template = "register_refused.html"


class LtiErrorMiddleware:
    """Renders :class:`LtiError` as a page (or JSON for the learner API), logging the detail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _unavailable(exception):
            log.error(
                "a backing service is unreachable on %s",
                loggable_path(request.path),
                exc_info=exception,
            )
            language = request_language(request)
            message = translate(
                language,
                "Koula cannot reach its database or cache right now. Try again in a minute; "
                "the answers on your page are kept.",
            )
            if request.path.startswith("/lti/api/"):
                response: HttpResponse = JsonResponse({"errors": {"_": message}}, status=503)
            else:
                response = page("error.html", language, status=503, message=message)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if not isinstance(exception, LtiError):
            return None
        log.info(
            "%s on %s: %s %s",
            type(exception).__name__,
            loggable_path(request.path),
            exception.message,
            exception.detail,
        )
        if request.path.startswith("/lti/api/"):
            answer: HttpResponse = JsonResponse(
                {"errors": {"_": exception.message}}, status=exception.status
            )
        else:
            answer = page(
                exception.template,
                exception.language,
                status=exception.status,
                message=exception.message,
            )
        if exception.retry_after is not None:
            answer["Retry-After"] = str(exception.retry_after)
        return answer
