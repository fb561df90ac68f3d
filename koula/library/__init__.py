"""The template library: the session templates that ship with Koula.

Each ``*.yaml`` file in this package is one template, validated when first
read. :func:`library_templates` lists them in a stable order (the default
Koula first); :func:`get_template` finds one by id.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from koula.errors import UnknownTemplate
from koula.template import SessionTemplate
from koula.template_format import parse_template_text

__all__ = ["DEFAULT_TEMPLATE_ID", "get_template", "library_templates"]

DEFAULT_TEMPLATE_ID = "default-koula"


@lru_cache(maxsize=1)
def library_templates() -> tuple[SessionTemplate, ...]:
    """Return every library template, the default one first, then by id."""
    folder = resources.files(__name__)
    templates = [
        parse_template_text(entry.read_text(encoding="utf-8"), source=f"library/{entry.name}")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    ]
    return tuple(sorted(templates, key=lambda t: (t.id != DEFAULT_TEMPLATE_ID, t.id)))


def get_template(template_id: str) -> SessionTemplate:
    """Return the library template ``template_id``; raise :class:`UnknownTemplate` otherwise."""
    for template in library_templates():
        if template.id == template_id:
            return template
    raise UnknownTemplate(template_id)
