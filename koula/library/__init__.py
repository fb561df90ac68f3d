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

__all__ = ["DEFAULT_TEMPLATE_ID", "get_template", "library_templates", "template_source"]

DEFAULT_TEMPLATE_ID = "default-koula"


@lru_cache(maxsize=1)
def library_templates() -> tuple[SessionTemplate, ...]:
    """Return every library template, the default one first, then by id."""
    templates = [
        parse_template_text(text, source=f"library/{name}") for name, text in _sources().items()
    ]
    return tuple(sorted(templates, key=lambda t: (t.id != DEFAULT_TEMPLATE_ID, t.id)))


def get_template(template_id: str) -> SessionTemplate:
    """Return the library template ``template_id``; raise :class:`UnknownTemplate` otherwise."""
    for template in library_templates():
        if template.id == template_id:
            return template
    raise UnknownTemplate(template_id)


def template_source(template_id: str) -> str:
    """Return the YAML text of library template ``template_id`` (a start for an admin's own)."""
    get_template(template_id)
    for text in _sources().values():
        if f"id: {template_id}\n" in text:
            return text
    raise UnknownTemplate(template_id)


@lru_cache(maxsize=1)
def _sources() -> dict[str, str]:
    folder = resources.files(__name__)
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    }
