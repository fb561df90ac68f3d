"""Calling a WSGI application in the test process, as a server would (PEP 3333 environ).

For what Django's test client cannot reach: :class:`lti.views.direct.DirectRoutes` sits in
front of Django's handler, in ``lti.wsgi``.
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass, field
from typing import Any


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


def call(app: Any, method: str, path: str, body: bytes = b"", **environ: str) -> Answer:
    """Send one request to ``app``; ``environ`` adds CGI names (``HTTP_ACCEPT_LANGUAGE``...)."""
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

    chunks = app(full, start_response)
    try:
        answer.content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return answer
