"""Structured logs: one JSON object per line, carrying the request id or the worker's context.

A context (``request_id`` for a request, ``outbox_row`` or ``task_id`` in a
worker) lives in a :mod:`contextvars` variable, so every line logged while it is
set carries it, from any module, without passing it around. :class:`RequestIdMiddleware`
takes a valid incoming ``X-Request-ID`` (from the reverse proxy) or makes one,
and echoes it in the response. ``KOULA_LOG_FORMAT=text`` gives plain lines for
people at a terminal.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import itertools
import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse

__all__ = [
    "ContextFilter",
    "JsonFormatter",
    "RequestIdMiddleware",
    "log_context",
    "loggable_path",
    "request_id_for",
]

# Paths whose rest is a secret while it works: a registration link's token, a reminder's
# one-click return link (it gives a learner's access) and unsubscribe link, a calendar link,
# a "Download my answers" link (it opens the learner's answers).
SECRET_PATHS = (
    "/lti/register/",
    "/lti/reminders/return/",
    "/lti/reminders/unsubscribe/",
    "/lti/calendar/",
    "/lti/my-data/",
)


def loggable_path(path: str) -> str:
    """``path`` as logs may show it: the token of a link in :data:`SECRET_PATHS` left out."""
    for prefix in SECRET_PATHS:
        if path.startswith(prefix):
            return prefix + "<token>"
    return path


HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}\Z")  # no newline, even last
_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "koula_log_context", default=None
)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` to every line logged inside the ``with`` block (nested blocks add up)."""
    token = _context.set({**(_context.get() or {}), **fields})
    try:
        yield
    finally:
        _context.reset(token)


class ContextFilter(logging.Filter):
    """Copies the current context onto each record (``record.context``, ``record.request_id``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get() or {}
        record.context = context
        record.request_id = context.get("request_id", "-")
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message, context, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **(getattr(record, "context", None) or _context.get() or {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def request_id_for(environ: dict[str, Any]) -> str:
    """The request's id: its valid ``X-Request-ID`` (from the reverse proxy), or a new one."""
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    return incoming if VALID_REQUEST_ID.match(incoming) else new_request_id()


def new_request_id() -> str:
    """A new request id, 32 hexadecimal digits as a UUID's: this process's random half and
    its count of requests (an id names a request and guards nothing; a random UUID asked
    the system for randomness at every request)."""
    return _ids.new()


class _RequestIds:
    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        """A random half and a count of its own (in each process gunicorn forks too)."""
        self.half = secrets.token_hex(8)
        self.count = itertools.count()

    def new(self) -> str:
        return f"{self.half}{next(self.count) & 0xFFFF_FFFF_FFFF_FFFF:016x}"


_ids = _RequestIds()
os.register_at_fork(after_in_child=_ids.renew)


class RequestIdMiddleware:
    """Gives each request an id (the proxy's ``X-Request-ID`` if valid), logged and echoed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request.META)  # request.headers parses them all
        with log_context(request_id=request_id):
            response = self.get_response(request)
        response[HEADER] = request_id
        return response
