"""A learner completes the whole loop in the real Open edX workbench, in a real browser."""

from __future__ import annotations

import json
import re

import pytest

from koula.library import get_template
from koula.template import FieldType, Part
from tests.e2e.learner import answer

pytestmark = pytest.mark.e2e

TEMPLATE = get_template("default-koula")


def submit(page, part: str) -> None:
    form = page.locator(f'form[data-part="{part}"]')
    with page.expect_response(re.compile(r"/handler/")) as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 200, response.value.text()


@pytest.mark.parametrize(("scenario", "language"), [("koula.0", "en"), ("koula.1", "fr")])
def test_a_learner_completes_the_loop_and_the_runtime_logs_completion(
    page, workbench, artifacts, scenario, language
):
    url, var = workbench
    student = f"e2e-{language}"
    page.goto(f"{url}/scenario/{scenario}/?student={student}")
    root = page.locator(".koula[data-koula-ready]")
    root.wait_for()
    assert root.get_attribute("lang") == language

    card = [f for f in TEMPLATE.fields_of(Part.DELIVERABLE) if f.required]
    left_empty, *others = card
    for field in others:
        answer(page, "deliverable", field)
    optional = next(
        f
        for f in TEMPLATE.fields_of(Part.DELIVERABLE)
        if not f.required and f.type in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT)
    )
    answer(page, "deliverable", optional)
    form = page.locator('form[data-part="deliverable"]')
    with page.expect_response(re.compile(r"/submit_deliverable/")) as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 400

    error = form.locator(f'[data-field="{left_empty.key}"] .koula-error')
    error.wait_for(state="visible")
    assert error.inner_text().strip()
    control = form.locator(f'[data-field="{left_empty.key}"] [name={left_empty.key}]')
    assert control.evaluate("node => node === document.activeElement")
    assert control.get_attribute("aria-invalid") == "true"
    for field in [*others, optional]:
        kept = form.locator(f'[data-field="{field.key}"] [name={field.key}]')
        assert kept.input_value() == f"My answer to {field.key}"
    page.screenshot(path=str(artifacts / f"workbench-error-{language}.png"), full_page=True)

    answer(page, "deliverable", left_empty)
    submit(page, "deliverable")
    assert not error.is_visible()
    for field in TEMPLATE.fields_of(Part.COMMITMENT):
        if field.required:
            answer(page, "commitment", field)
    submit(page, "commitment")
    for field in TEMPLATE.fields_of(Part.RETURN):
        if field.required:
            answer(page, "return", field)
    submit(page, "return")
    page.screenshot(path=str(artifacts / f"workbench-done-{language}.png"), full_page=True)

    page.reload()
    context = json.loads(page.locator(".koula-context").text_content())
    assert context["state"]["progress"] == {
        "completion": 1.0,
        "score": 1.0,
        "activity": "Completed",
    }
    events = (var / "events.log").read_text()
    completions = re.findall(r"'completion': ([0-9.]+)", events)
    assert completions[-3:] == ["0.3333", "0.6667", "1.0"]
