"""Reading a learner API body: the core's rules (:func:`koula.json_object`), plus Django's size cap.

A body is one JSON object or nothing. The core refuses anything else (not JSON, not UTF-8,
not an object, nested too deep) with its :class:`~koula.BadRequest` (400); a body over
Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` raises :class:`~lti.errors.BodyTooLarge` (413).
Both say what is wrong in the person's language, and both are answered by
:class:`lti.views.errors.LtiErrorMiddleware` with the errors object.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest

from koula import json_object
from koula.messages import translate
from lti.errors import BodyTooLarge

__all__ = ["json_body", "too_large"]


def json_body(request: HttpRequest, *, language: str) -> dict[str, Any] | None:
    """Return the JSON object the request's body holds (None for no body or ``null``).

    Raise the core's BadRequest, or BodyTooLarge, for anything else, worded in ``language``.
    """
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise too_large(language) from exc
    return json_object(raw, language=language)


def too_large(language: str) -> BodyTooLarge:
    """The refusal of a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, worded in ``language``."""
    message = translate(language, "The request is too large. Send your answers in shorter pieces.")
    return BodyTooLarge(message, language=language, detail="body too large")
