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
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from koula import ActionError, Refused
from koula.messages import translate
from lti.errors import RETRY_AFTER_SECONDS, LtiError
from lti.json_text import answer_bytes
from lti.logs import loggable_path
from lti.views.language import request_language
from lti.views.rendering import page

__all__ = ["LtiErrorMiddleware", "Refusal", "error_answer", "refusal_of"]

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
    # The path under the tool's own root (path_info): the same behind a SCRIPT_NAME prefix.
    refusal = refusal_of(exception, request.path_info, lambda: request_language(request))
    if refusal is None:
        return None
    if request.path_info.startswith(API):
        body = answer_bytes({"errors": refusal.errors})
        answer: HttpResponse = HttpResponse(
            body, content_type="application/json", status=refusal.status
        )
    else:
        message = refusal.errors.get("_") or " ".join(refusal.errors.values())
        answer = page(
            refusal.template,
            refusal.language,
            status=refusal.status,
            message=message,
            course_url=refusal.course_url,
        )
    if refusal.retry_after is not None:
        answer["Retry-After"] = str(refusal.retry_after)
    return answer


@dataclass(frozen=True)
class Refusal:
    """What an error of ours answers: ``{"errors": errors}`` under the learner API, else the
    page ``template`` showing them, in ``language``."""

    status: int
    errors: dict[str, str]
    language: str
    template: str = "error.html"
    course_url: str = ""
    retry_after: int | None = None


def refusal_of(
    exception: Exception, path: str, language_of_request: Callable[[], str]
) -> Refusal | None:
    """Return (and log) what the request for ``path`` answers for ``exception``; None for a
    bug, left to Django. ``language_of_request`` gives the browser's language, for the
    errors that carry none."""
    if _unavailable(exception):
        log.error("a backing service is unreachable on %s", loggable_path(path), exc_info=exception)
        language = language_of_request()
        return Refusal(
            503,
            {"_": translate(language, UNAVAILABLE)},
            language,
            retry_after=RETRY_AFTER_SECONDS,
        )
    if isinstance(exception, LtiError):
        log.info(
            "%s on %s: %s %s",
            type(exception).__name__,
            loggable_path(path),
            exception.message,
            exception.detail,
        )
        return Refusal(
            exception.status,
            {"_": exception.message},
            exception.language,
            exception.template,
            exception.course_url,
            exception.retry_after,
        )
    if isinstance(exception, ActionError | Refused):
        log.info("%s on %s: %s", type(exception).__name__, loggable_path(path), exception)
        return Refusal(exception.status, exception.errors, language_of_request())
    return None


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
