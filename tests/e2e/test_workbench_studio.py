"""An author edits the block in the real workbench's Studio view, in a real browser."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_an_invalid_custom_template_is_explained_in_place_and_not_saved(page, workbench):
    url, _ = workbench
    page.goto(f"{url}/scenario/koula.4/studio_view/?student=staff-author")
    form = page.locator(".koula-studio-form")
    form.locator("[name=custom_template]").fill("format: 1\nid: ours\nlanguages: [en]\n")
    with page.expect_response(re.compile(r"/studio_submit/")) as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 400
    error = page.locator("#koula-studio-custom_template-error")
    error.wait_for(state="visible")
    assert "phases: is required" in error.inner_text()
    control = form.locator("[name=custom_template]")
    assert control.get_attribute("aria-invalid") == "true"
    assert control.evaluate("node => node === document.activeElement")


def test_valid_settings_are_saved_and_the_learner_sees_them(page, workbench):
    url, _ = workbench
    page.goto(f"{url}/scenario/koula.5/studio_view/?student=staff-author")
    form = page.locator(".koula-studio-form")
    form.locator("[name=display_name]").fill("Notre Koula")
    form.locator("[name=return_window_days]").fill("21")
    with page.expect_response(re.compile(r"/studio_submit/")) as response:
        form.locator("button[type=submit]").click()
    assert response.value.status == 200
    page.goto(f"{url}/scenario/koula.5/?student=learner")
    assert "Notre Koula" in page.locator(".koula-context").text_content()
