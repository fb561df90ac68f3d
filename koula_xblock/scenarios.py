"""Workbench scenarios: each library template in English and in French, then a series.

The series scenario puts two Koula sessions in one scenario, which the
workbench's tree makes one course (:func:`koula_xblock.compat.course_blocks`):
commit in the first, and the second shows the experiment first.
"""

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
    scenarios.append((SERIES_TITLE, SERIES))
    return scenarios


SERIES_TITLE = "Koula: a series of two sessions (en)"
SERIES = (
    "<vertical_demo>"
    '<koula display_name="Kick-off" session_date="2026-03-02" language="en"/>'
    '<koula display_name="Follow-up" session_date="2026-03-16" language="en"/>'
    "</vertical_demo>"
)
