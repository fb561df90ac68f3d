"""Renders the tool's pages with the shared Jinja2 environment, in the person's language.

Every page gets ``base_url`` and ``asset`` (``{{ asset("koula.js") }}``: the asset's URL
under its hashed name, kept a year by browsers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse

from koula_ui.environment import environment_for
from lti.views.basics import asset_url

__all__ = ["html_response", "page", "page_text"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # lti/templates


def page(name: str, language: str, *, status: int = 200, **context: Any) -> HttpResponse:
    """Return the page ``lti/templates/<name>`` as an HTML response."""
    return html_response(page_text(name, language, **context), language, status=status)


def page_text(name: str, language: str, **context: Any) -> str:
    """The page ``lti/templates/<name>``, drawn."""
    env = environment_for(language, extra_dirs=(TEMPLATES,))
    return env.get_template(name).render(
        language=language, base_url=settings.BASE_URL, asset=asset_url, **context
    )


def html_response(html: str | bytes, language: str, *, status: int = 200) -> HttpResponse:
    """``html`` (UTF-8 when bytes) as the HTML response of a page in ``language``."""
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Content-Language"] = language
    return response
