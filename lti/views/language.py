"""The language of a request that carries no launch: from the browser's Accept-Language."""

from __future__ import annotations

from django.http import HttpRequest

from koula.messages import pick_language

__all__ = ["request_language"]


def request_language(request: HttpRequest) -> str:
    """Return ``fr`` or ``en``, the first of the browser's languages Koula speaks."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")  # request.headers parses them all
    return pick_language(*[part.split(";")[0].strip() for part in header.split(",")])
