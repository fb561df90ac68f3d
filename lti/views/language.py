"""The language of a request that carries no launch: from the browser's Accept-Language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from koula.messages import pick_language

__all__ = ["language_of", "request_language"]


def request_language(request: HttpRequest) -> str:
    """Return ``fr`` or ``en``, the first of the browser's languages Koula speaks."""
    return language_of(request.META)  # request.headers parses them all


def language_of(environ: Mapping[str, Any]) -> str:
    """:func:`request_language` from the WSGI environ (or ``request.META``)."""
    header = environ.get("HTTP_ACCEPT_LANGUAGE", "")
    return pick_language(*[part.split(";")[0].strip() for part in header.split(",")])
