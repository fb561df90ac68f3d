"""Draws the Studio edit dialog from ``templates/studio_edit.html`` (Jinja2, autoescaped)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from koula.messages import gettext_for

__all__ = ["render_studio_page"]


@lru_cache(maxsize=4)
def _environment(language: str) -> Environment:
    env = Environment(
        loader=PackageLoader("koula_xblock", "templates"),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )
    gettext = gettext_for(language)
    env.install_gettext_callables(gettext, lambda s, p, n: gettext(s if n == 1 else p), True)  # type: ignore[attr-defined]
    return env


def render_studio_page(*, language: str, fields: list[dict[str, Any]]) -> str:
    """Return the edit dialog's HTML for ``fields`` (dicts made by ``settings._field_view``)."""
    return (
        _environment(language)
        .get_template("studio_edit.html")
        .render(language=language, fields=fields)
    )
