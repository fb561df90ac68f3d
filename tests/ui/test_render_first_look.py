"""The learner page after a first look (issue 12): each help said once, no due line once
the return is in, and a date field's date written in the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html as lxml_html

from koula.library import get_template, library_templates
from koula.template import FieldType, SessionTemplate
from koula.template_format import parse_template_text
from koula_ui.render import render_activity
from tests.ui.test_render import COMMITTED, SAMPLE, SUBMITTED_AT, form, state

RETURNED = {"status": "submitted", "values": {"applied": "yes"}, "submitted_at": SUBMITTED_AT}


@pytest.fixture(scope="module")
def template() -> SessionTemplate:
    return parse_template_text(SAMPLE, source="tests/ui/test_render.py")


def page(template: SessionTemplate, learner: dict[str, Any], language: str = "en") -> Any:
    rendered = render_activity(
        template=template, state=learner, language=language, context={}, uid="b1"
    )
    return lxml_html.fragment_fromstring(rendered)


def help_of(root: Any, key: str) -> str:
    (found,) = root.xpath(f'.//*[@data-field="{key}"]//p[contains(@class, "koula-help")]')
    return str(found.text_content())


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("library_template", library_templates(), ids=lambda t: t.id)
def test_a_list_field_says_one_item_per_line_once(
    library_template: SessionTemplate, language: str
) -> None:
    root = page(library_template, state(), language)
    per_line = "per line" if language == "en" else "par ligne"

    for part in library_template.parts():
        for field in library_template.fields_of(part):
            if field.type is FieldType.LIST:
                assert help_of(root, field.key).casefold().count(per_line) == 1, field.key


def test_a_list_field_whose_help_is_silent_about_lines_keeps_the_pages_hint() -> None:
    root = page(get_template("after-action-review"), state(), "fr")

    help_text = help_of(root, "group_lessons")

    assert "Un élément par ligne." in help_text
    assert "5 éléments au maximum" in help_text


def test_the_due_line_shows_while_the_return_is_awaited(template: SessionTemplate) -> None:
    root = page(template, state(commitment=COMMITTED))

    (due,) = form(root, "return").xpath('.//*[@data-role="due"]')
    assert due.get("hidden") is None
    assert "Report back here by 14 December 2026." in due.text_content()


def test_no_line_asks_for_the_return_once_it_is_in(template: SessionTemplate) -> None:
    root = page(template, state(commitment=COMMITTED, return_=RETURNED))

    (due,) = form(root, "return").xpath('.//*[@data-role="due"]')
    (committed,) = form(root, "commitment").xpath('.//*[@data-role="status"]')
    assert due.get("hidden") is not None
    assert committed.text_content().strip() == "Committed on 30 November 2026."


@pytest.mark.parametrize(
    ("language", "written"), [("fr", "14 décembre 2026"), ("en", "14 December 2026")]
)
def test_a_chosen_date_is_written_beside_its_field_in_the_pages_language(
    template: SessionTemplate, language: str, written: str
) -> None:
    learner = state(commitment={"status": "draft", "values": {"by_date": "2026-12-14"}})

    root = page(template, learner, language)

    (field,) = form(root, "commitment").xpath('.//*[@data-field="by_date"]')
    (control,) = field.xpath(".//input")
    (text,) = field.xpath('.//*[@data-role="date-text"]')
    assert control.get("value") == "14/12/2026"
    assert text.text_content() == written
    assert text.get("id") in control.get("aria-describedby").split()
