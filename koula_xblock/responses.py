"""The block's HTTP answers, and the one guard every handler wears.

:func:`guarded` turns a core :class:`~koula.errors.Refused` raised inside a
handler (the activity not set up, 409; a user who may not, 403; a malformed
request, 400) into the contract's ``{"errors": {...}}`` answer with its status,
so no handler words or maps an error itself. This module imports nothing of
the block.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, cast

from webob import Response

from koula import Refused

__all__ = ["guarded", "json_response"]


def json_response(body: dict[str, Any], status: int = 200) -> Response:
    """Return ``body`` as a JSON answer with ``status``."""
    return Response(
        json.dumps(body), status=status, content_type="application/json", charset="utf8"
    )


def guarded[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """Wrap a handler so that a Refused error answers ``{"errors": ...}`` with its status."""

    @functools.wraps(handler)
    def guard(block: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return handler(block, *args, **kwargs)
        except Refused as refused:
            return json_response({"errors": refused.errors}, status=refused.status)

    return cast(Handler, guard)
