"""Workbench scenarios: each library template in English and in French, and a whole course page."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from koula import library_templates

__all__ = ["workbench_scenarios"]


def workbench_scenarios() -> list[tuple[str, str]]:
    """Return ``(title, OLX)`` pairs for the xblock-sdk workbench."""
    scenarios = []
    for template in library_templates():
        for language in ("en", "fr"):
            title = template.title.get(language)
            scenarios.append(
                (
                    f"Koula: {title} ({language})",
                    f"<koula display_name={quoteattr(title)} template_id={quoteattr(template.id)}"
                    f' language="{language}"/>',
                )
            )
    return scenarios
