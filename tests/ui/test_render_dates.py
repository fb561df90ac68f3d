"""A date field in the page's pattern (issue 12, point 4): text that reads dd/mm/yyyy, or
jj/mm/aaaa in French, whatever the browser's locale; koula.js sends it as YYYY-MM-DD."""

from __future__ import annotations

from typing import Any

import pytest

from koula.template import SessionTemplate
from koula.template_format import parse_template_text
from tests.ui.test_render import SAMPLE, context_of, control, form, parse, render, state

DRAFT = {"status": "draft", "values": {"by_date": "2026-12-24"}}


@pytest.fixture(scope="module")
def template() -> SessionTemplate:
    return parse_template_text(SAMPLE, source="tests/ui/test_render.py")


def date_field(root: Any) -> Any:
    (field,) = form(root, "commitment").xpath('.//*[@data-field="by_date"]')
    return field


@pytest.mark.parametrize(
    ("language", "pattern", "hint"),
    [
        ("fr", "jj/mm/aaaa", "Format : jj/mm/aaaa, par exemple 24/12/2026"),
        ("en", "dd/mm/yyyy", "Format: dd/mm/yyyy, for example 24/12/2026"),
    ],
)
def test_a_date_field_is_text_in_the_pages_pattern(
    template: SessionTemplate, language: str, pattern: str, hint: str
) -> None:
    root = parse(render(template, language=language))

    box = control(root, "commitment", "by_date")
    assert box.tag == "input" and box.get("type") == "text"
    assert box.get("inputmode") == "numeric" and box.get("autocomplete") == "off"
    assert box.get("placeholder") == pattern
    (help_line,) = date_field(root).xpath('.//p[contains(@class, "koula-help")]')
    assert hint in help_line.text_content()
    assert help_line.get("id") in box.get("aria-describedby").split()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_stored_date_shows_day_first(template: SessionTemplate, language: str) -> None:
    root = parse(render(template, state(commitment=DRAFT), language=language))

    assert control(root, "commitment", "by_date").get("value") == "24/12/2026"


def test_the_templates_own_placeholder_wins_over_the_pattern() -> None:
    line = "- {key: by_date, label: {en: By, fr: D'ici le}, type: date}"
    assert line in SAMPLE
    own = line[:-1] + ", placeholder: {en: Before Friday, fr: Avant vendredi}}"
    template = parse_template_text(SAMPLE.replace(line, own), source="tests/ui")
    root = parse(render(template, language="fr"))

    assert control(root, "commitment", "by_date").get("placeholder") == "Avant vendredi"
    assert "jj/mm/aaaa" in date_field(root).text_content()  # the hint still says it


def test_the_script_has_the_date_error_in_the_pages_language(template: SessionTemplate) -> None:
    french = context_of(render(template, language="fr"))["i18n"]
    english = context_of(render(template, language="en"))["i18n"]

    assert french["bad_date"] == (
        "Saisissez une date réelle au format jj/mm/aaaa, par exemple 24/12/2026."
    )
    assert english["bad_date"] == "Enter a real date as dd/mm/yyyy, for example 24/12/2026."
