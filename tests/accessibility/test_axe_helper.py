"""The audit itself finds what it must: a violation in the page, in a framed page (targets too
small to touch among them), and in an e-mail shown in a frame sandboxed without scripts; and
it says where, with the element."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import Any

import pytest

from tests.accessibility.axe import audit, blocking, describe, need_axe
from tests.e2e.servers import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.e2e

TINY = '<button style="width:10px;height:10px;padding:0;border:0" aria-label="{}"></button>'
FRAMED = (
    '<!doctype html><html lang="en"><title>Tool</title><main><button></button>'
    f"<p>{TINY.format('up')}{TINY.format('down')}</p></main>"
)
MAIL = '<!doctype html><html lang="en"><title>Mail</title><main><img src="x.png"></main>'
COURSE = (
    '<!doctype html><html lang="en"><title>Course</title><main><h1>Course</h1>'
    '<label>Day <input id="day"></label><input id="unlabelled">'
    f'<iframe title="tool" srcdoc="{escape(FRAMED)}"></iframe>'
    f'<iframe title="mail" sandbox="allow-popups" srcdoc="{escape(MAIL)}"></iframe></main>'
)


@pytest.fixture
def page(playwright: Any) -> Iterator[Any]:
    need_axe()
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
    )
    try:
        page = browser.new_context(bypass_csp=True).new_page()
        page.route(
            "http://course.test/",
            lambda route: route.fulfill(body=COURSE, content_type="text/html"),
        )
        page.goto("http://course.test/")
        yield page
    finally:
        browser.close()


def test_the_audit_finds_critical_violations_in_the_page_its_frame_and_its_sandboxed_mail(page):
    found = {(v.frame, v.rule): v for v in blocking(audit(page))}
    assert set(found) == {
        ("top: http://course.test/", "label"),
        ("about:srcdoc", "button-name"),
        ("about:srcdoc", "target-size"),
        ("about:srcdoc (sandboxed, audited as a copy)", "image-alt"),
    }
    assert found[("top: http://course.test/", "label")].nodes[0].startswith("#unlabelled: <input")
    message = describe(list(found.values()))
    assert "[critical] label: Form elements must have labels" in message
    assert "    - #unlabelled: <input" in message
