"""What issue 12's first look found, in the real workbench: a chosen date reads in the page's
language beside its field, no line asks for the return once it is in (the script keeps both
true after an action), and ``/favicon.ico`` answers Koula's icon."""

from __future__ import annotations

import re

import pytest

from koula.library import get_template
from koula.template import Part
from tests.e2e.learner import answer

pytestmark = pytest.mark.e2e

TEMPLATE = get_template("default-koula")


def submit(page, part: str) -> None:
    form = page.locator(f'form[data-part="{part}"]')
    with page.expect_response(re.compile(r"/handler/")) as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 200, response.value.text()


def answer_required(page, part: Part) -> None:
    for field in TEMPLATE.fields_of(part):
        if field.required:
            answer(page, part.value, field)


def test_a_french_learner_sees_the_chosen_date_in_french_and_no_due_line_after_returning(
    page, workbench
):
    url, _ = workbench
    page.goto(f"{url}/scenario/koula.1/?student=first-look-fr")
    page.locator(".koula[data-koula-ready]").wait_for()
    answer_required(page, Part.DELIVERABLE)
    submit(page, "deliverable")

    commitment = page.locator('form[data-part="commitment"]')
    commitment.locator('[name="by_date"]').fill("2026-12-15")
    date_text = commitment.locator('[data-field="by_date"] [data-role="date-text"]')
    assert date_text.inner_text() == "15 décembre 2026"
    answer_required(page, Part.COMMITMENT)
    submit(page, "commitment")
    due = page.locator('form[data-part="return"] [data-role="due"]')
    due.wait_for(state="visible")
    assert due.inner_text().startswith("Faites votre retour ici au plus tard le")

    answer_required(page, Part.RETURN)
    submit(page, "return")
    due.wait_for(state="hidden")
    status = commitment.locator('[data-role="status"]')
    assert re.fullmatch(r"Engagement pris le \d+ \w+ \d{4}\.", status.inner_text().strip())

    page.reload()
    page.locator(".koula[data-koula-ready]").wait_for()
    assert not due.is_visible()
    assert date_text.inner_text() == "15 décembre 2026"


def test_the_workbench_answers_favicon_ico_with_koulas_icon(page, workbench):
    url, _ = workbench

    icon = page.request.get(f"{url}/favicon.ico")

    assert icon.status == 200
    assert icon.headers["content-type"] == "image/svg+xml"
    assert icon.body().startswith(b"<svg")
