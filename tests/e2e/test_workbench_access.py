"""The learner page at phone width and with the keyboard alone, in the real workbench."""

from __future__ import annotations

import json
import re

import pytest

from koula.library import get_template
from koula.template import Part

pytestmark = pytest.mark.e2e


def test_the_page_fits_a_360_pixel_screen(browser, workbench, artifacts):
    url, _ = workbench
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{url}/scenario/koula.2/?student=phone")
    page.locator(".koula[data-koula-ready]").wait_for()
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.koula *')]"
        ".filter(n => n.getBoundingClientRect().right > window.innerWidth + 1).length"
    )
    assert overflow == 0
    page.screenshot(path=str(artifacts / "workbench-360px.png"), full_page=True)
    context.close()


def test_a_learner_submits_the_practice_card_with_the_keyboard_alone(page, workbench):
    url, _ = workbench
    page.goto(f"{url}/scenario/koula.0/?student=keyboard")
    page.locator(".koula[data-koula-ready]").wait_for()
    required = [
        f.key for f in get_template("default-koula").fields_of(Part.DELIVERABLE) if f.required
    ]
    page.locator('form[data-part="deliverable"] [name]').first.focus()
    typed = 0
    for _ in range(40):  # walk the form with Tab, typing into every required field
        name = page.evaluate("() => document.activeElement.name || ''")
        if name in required:
            page.keyboard.type(f"Typed {name}")
            typed += 1
        if typed == len(required):
            break
        page.keyboard.press("Tab")
    assert typed == len(required)
    while page.evaluate("() => document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    with page.expect_response(re.compile(r"/submit_deliverable/")) as response:
        page.keyboard.press("Enter")
    assert response.value.status == 200
    status = page.locator(".koula-status")
    status.filter(has_text=re.compile(".+")).wait_for()
    page.reload()
    context = json.loads(page.locator(".koula-context").text_content())
    assert context["state"]["deliverable"]["status"] == "submitted"
