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

__all__ = ["page"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"  # lti/templates


def page(name: str, language: str, *, status: int = 200, **context: Any) -> HttpResponse:
    """Return the page ``lti/templates/<name>`` as an HTML response."""
    env = environment_for(language, extra_dirs=(TEMPLATES,))
    html = env.get_template(name).render(
        language=language, base_url=settings.BASE_URL, asset=asset_url, **context
    )
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Content-Language"] = language
    return response
