"""Calling a WSGI application in the test process, as a server would (PEP 3333 environ).

For what Django's test client cannot reach: :class:`lti.views.direct.DirectRoutes` sits in
front of Django's handler, in ``lti.wsgi``. :class:`DirectClient` is Django's test client
answering the login and the launch as the direct route does.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.client import ClientHandler

from lti.services.raw_rows import database
from lti.views.direct import VIEWS, DirectRoutes


@dataclass
class Answer:
    """A WSGI answer: the status line, the headers in order, the body."""

    status: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    content: bytes = b""

    @property
    def status_code(self) -> int:
        return int(self.status.split()[0])

    def json(self) -> Any:
        return json.loads(self.content)

    def __getitem__(self, name: str) -> str:
        return next(value for key, value in self.headers if key.lower() == name.lower())


class DjangoSpy:
    """Django's own WSGI handler, noting the path of each request it is handed."""

    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.paths.append(environ["PATH_INFO"])
        return self.django(environ, start_response)


def call(
    app: Any,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    keep_connection: bool | None = None,
    **environ: str,
) -> Answer:
    """Send one request to ``app``; ``environ`` adds CGI names (``HTTP_ACCEPT_LANGUAGE``...).

    With ``keep_connection`` (as Django's test client), the request's start and end do not
    close the database connection (``close_old_connections`` is disconnected meanwhile);
    without, Django's receivers stay connected, as in production. By default the connection
    is kept only where closing it would end the test's transaction: inside an atomic block,
    on a database other than the tests' in-memory SQLite (which Django never closes)."""
    if keep_connection is None:
        db = database()
        in_memory = db.vendor == "sqlite" and db.is_in_memory_db()
        keep_connection = db.in_atomic_block and not in_memory
    full = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "koula.example.test",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "koula.example.test",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **environ,
    }
    answer = Answer("")

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer.status, answer.headers = status, headers

    # As Django's test client does: the test's connection stays open (a request's end would
    # close it inside the test's transaction).
    if keep_connection:
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
    try:
        chunks = app(full, start_response)
        try:
            answer.content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
    finally:
        if keep_connection:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
    return answer


class DirectClientHandler(ClientHandler):
    """The test client's handler, the views of :data:`lti.views.direct.VIEWS` answered by
    :meth:`DirectRoutes.answer` (Django's middleware chain not run)."""

    def get_response(self, request: HttpRequest) -> HttpResponse:
        view = VIEWS.get(request.path_info)
        routes = DirectRoutes(self)
        if view is None or not routes.enabled:
            return super().get_response(request)  # type: ignore[no-any-return]
        return routes.answer(request, view)


class DirectClient(Client):
    """Django's test client, through :class:`DirectClientHandler`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handler = DirectClientHandler(self.handler.enforce_csrf_checks)
