"""The one place that turns errors into HTTP answers: :class:`LtiErrorMiddleware`.

Services and views raise; nothing else answers an error. Under ``/lti/api/`` (the learner
API) every answer is JSON ``{"errors": {...}}`` (``docs/learner-api.md``); elsewhere a page
in the person's language. What is mapped:

* the core's refusals (:mod:`koula.errors`): a learner action refused
  (:class:`~koula.ActionError`: ``InvalidValues`` 400, ``OutOfOrder`` 409; the state it
  carries was stored before it was raised) and a request refused for another reason
  (:class:`~koula.Refused`: ``BadRequest`` 400, ``NotPermitted`` 403, ``NotSetUp`` 409),
  each with its ``errors`` object and ``status``;
* the tool's own (:mod:`lti.errors`), each with its message, status and page;
* a database or Redis that cannot be reached: 503 with ``Retry-After``, a fault of the
  moment rather than of the request.

Anything else is a bug, left to Django (a 500).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from koula import ActionError, Refused
from koula.messages import translate
from lti.errors import RETRY_AFTER_SECONDS, LtiError
from lti.logs import loggable_path
from lti.views.language import request_language
from lti.views.rendering import page

__all__ = ["LtiErrorMiddleware", "error_answer"]

log = logging.getLogger(__name__)
API = "/lti/api/"
UNAVAILABLE = (
    "Koula cannot reach its database or cache right now. Try again in a minute; "
    "the answers on your page are kept."
)


class LtiErrorMiddleware:
    """Answers the errors of the module docstring; lets every other exception through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return error_answer(request, exception)


def error_answer(request: HttpRequest, exception: Exception) -> HttpResponse | None:
    """Return the answer to ``request`` for ``exception``, or None when it is not one of ours."""
    if _unavailable(exception):
        log.error(
            "a backing service is unreachable on %s",
            loggable_path(request.path),
            exc_info=exception,
        )
        language = request_language(request)
        answer = _answer(request, 503, {"_": translate(language, UNAVAILABLE)}, language)
        answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return answer
    if isinstance(exception, LtiError):
        log.info(
            "%s on %s: %s %s",
            type(exception).__name__,
            loggable_path(request.path),
            exception.message,
            exception.detail,
        )
        answer = _answer(
            request,
            exception.status,
            {"_": exception.message},
            exception.language,
            template=exception.template,
            course_url=exception.course_url,
        )
        if exception.retry_after is not None:
            answer["Retry-After"] = str(exception.retry_after)
        return answer
    if isinstance(exception, ActionError | Refused):
        log.info("%s on %s: %s", type(exception).__name__, loggable_path(request.path), exception)
        return _answer(request, exception.status, exception.errors, request_language(request))
    return None


def _answer(
    request: HttpRequest,
    status: int,
    errors: dict[str, str],
    language: str,
    *,
    template: str = "error.html",
    course_url: str = "",
) -> HttpResponse:
    """JSON ``{"errors": errors}`` under the learner API, else the page ``template``."""
    if request.path.startswith(API):
        return JsonResponse({"errors": errors}, status=status)
    message = errors.get("_") or " ".join(errors.values())
    return page(template, language, status=status, message=message, course_url=course_url)


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
