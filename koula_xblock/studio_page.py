"""Draws the Studio edit dialog from ``templates/studio_edit.html`` with the shared environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from koula_ui.environment import environment_for

__all__ = ["render_studio_page"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def render_studio_page(*, language: str, fields: list[dict[str, Any]]) -> str:
    """Return the edit dialog's HTML for ``fields`` (dicts made by ``studio._field_view``)."""
    env = environment_for(language, extra_dirs=(TEMPLATES,))
    return env.get_template("studio_edit.html").render(language=language, fields=fields)
