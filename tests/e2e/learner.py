"""Playing the learner in a browser: answering a form field the way a person would."""

from __future__ import annotations

from typing import Any

from koula.template import FieldType

__all__ = ["answer"]


def answer(page: Any, part: str, field: Any) -> None:
    """Answer one field of ``part`` the way a learner would, by type."""
    scope = f'form[data-part="{part}"] [data-field="{field.key}"]'
    if field.type is FieldType.RATING:
        page.locator(f'{scope} input[value="4"]').check()
    elif field.type is FieldType.CHOICE:
        page.locator(f'{scope} input[value="{field.choice_values()[0]}"]').check()
    elif field.type is FieldType.URL:
        page.locator(f"{scope} [name={field.key}]").fill("https://wiki.example.org/card")
    elif field.type is FieldType.DATE:
        page.locator(f"{scope} [name={field.key}]").fill("15/12/2026")  # the page's pattern
    else:
        page.locator(f"{scope} [name={field.key}]").fill(f"My answer to {field.key}")
