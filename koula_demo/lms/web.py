"""Small HTTP helpers shared by the endpoints: JSON answers and OAuth-style errors."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response


def json_response(
    body: Any,
    status: int = 200,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    """Answer ``body`` as JSON with ``content_type``."""
    return Response(
        json.dumps(body), status=status, content_type=content_type, headers=headers or {}
    )


def error_response(status: int, error: str, description: str) -> Response:
    """An OAuth2-shaped JSON error (``error`` and ``error_description``)."""
    return json_response({"error": error, "error_description": description}, status)


class HttpError(Exception):
    """Raised inside a handler to answer with an error at once."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def response(self) -> Response:
        return error_response(self.status, self.error, self.description)
