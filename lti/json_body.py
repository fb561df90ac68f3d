"""Reading a learner API body: the core's rules (:func:`koula.json_object`), plus Django's size cap.

A body is one JSON object or nothing; anything else raises :class:`BodyRefused`, which
carries the HTTP status and says what is wrong in the person's language: 400 for what
the core refuses (not JSON, not UTF-8, not an object, nested too deep), 413 for a body
over Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from koula import Refused, json_object
from koula.messages import translate

__all__ = ["BodyRefused", "json_body"]


class BodyRefused(ValueError):
    """A request body that is not one JSON object of reasonable depth and size."""

    def __init__(self, status: int, refused: Refused | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.refused = refused

    def message(self, language: str) -> str:
        if self.refused is not None:
            return self.refused.errors["_"]
        return translate(language, "The request is too large. Send your answers in shorter pieces.")


def json_body(request: HttpRequest, *, language: str) -> dict[str, Any] | None:
    """Return the JSON object the request's body holds (None for no body or ``null``).

    Raise :class:`BodyRefused` for anything else, worded in ``language``.
    """
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise BodyRefused(413) from exc
    try:
        return json_object(raw, language=language)
    except Refused as refused:
        raise BodyRefused(refused.status, refused) from refused
