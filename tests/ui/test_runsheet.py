"""The host's run-sheet and the staff assets: what render_runsheet draws, timers in Chromium."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import html as lxml_html

from koula.impact import impact_report
from koula.library import get_template, library_templates
from koula.template import SessionTemplate
from koula_ui.assets import asset_text
from koula_ui.report import render_report
from koula_ui.runsheet import Block, render_runsheet, text_blocks
from koula_ui.strings import mode_words
from tests.e2e.servers import CHROMIUM_ARGS, chromium_path
from tests.ui.test_report import COMPUTED, cohort, rows

STAFF_BUDGET_BYTES = 8 * 1024
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def koula() -> SessionTemplate:
    return get_template("default-koula")


def render(template: SessionTemplate, **options: Any) -> str:
    return render_runsheet(template=template, **{"language": "en", "uid": "s1"} | options)


def parse(page: str) -> Any:
    return lxml_html.fragment_fromstring(page)


def phases(root: Any) -> list[Any]:
    return root.xpath('.//li[contains(@class, "koula-staff-phase")]')


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("template", library_templates(), ids=lambda t: t.id)
def test_every_phase_shows_in_order_with_its_prompt_and_its_host_notes(
    template: SessionTemplate, language: str
) -> None:
    root = parse(render(template, language=language))
    items = phases(root)

    assert root.get("lang") == language
    assert [item.get("data-phase") for item in items] == [p.key for p in template.phases]
    for item, phase in zip(items, template.phases, strict=True):
        meta = item.xpath('string(.//*[@class="koula-staff-meta"])')
        assert phase.title.get(language) in item.xpath("string(.//h3)")
        assert meta.startswith(f"{phase.minutes} min · ")
        assert mode_words(lambda m: m)[phase.mode.value] in meta or language == "fr"
        texts = " ".join(item.xpath('.//*[@class="koula-staff-texts"]//text()'))
        for line in (phase.prompt.get(language) + "\n" + phase.host_notes.get(language)).split(
            "\n"
        ):
            assert line.removeprefix("- ").strip() in texts


def test_each_phases_prompt_and_notes_are_named_with_their_phase(koula: SessionTemplate) -> None:
    root = parse(render(koula))
    names = []
    for section in root.xpath('.//section[contains(@class, "koula-staff-")]'):
        parts = [root.get_element_by_id(ref) for ref in section.get("aria-labelledby").split()]
        names.append(" ".join(part.text_content().strip() for part in parts))
    assert names and len(names) == len(set(names))
    assert any(name.startswith("Prompt for participants") for name in names)


def test_host_notes_bullets_become_a_list_and_are_headed_for_the_host(
    koula: SessionTemplate,
) -> None:
    (first,) = phases(parse(render(koula)))[:1]
    (notes,) = first.xpath('.//section[@class="koula-staff-notes"]')

    assert notes.xpath("string(h4)") == "Host notes"
    assert len(notes.xpath("./ul/li")) == koula.phases[0].host_notes.get("en").count("\n- ") + 1
    assert first.xpath('string(.//section[@class="koula-staff-prompt"]/h4)') == (
        "Prompt for participants"
    )


def test_text_blocks_split_paragraphs_and_runs_of_bullets() -> None:
    text = "Intro line\n- one\n-  two \n\nMiddle\n- three"

    assert text_blocks(text) == (
        Block("p", ("Intro line",)),
        Block("ul", ("one", "two")),
        Block("p", ("Middle",)),
        Block("ul", ("three",)),
    )
    assert text_blocks("") == ()


def test_each_phase_has_a_timer_with_time_left_and_labelled_buttons(
    koula: SessionTemplate,
) -> None:
    items = phases(parse(render(koula)))

    for item, phase in zip(items, koula.phases, strict=True):
        (timer,) = item.xpath('.//*[@class="koula-staff-timer"]')
        (clock,) = timer.xpath('.//*[@data-role="clock"]')
        buttons = {b.get("data-action"): b for b in timer.xpath(".//button")}
        assert timer.get("role") == "group"
        assert timer.get("aria-labelledby") == item.xpath(".//h3/@id")[0]
        assert clock.get("role") == "timer"
        assert clock.text_content() == f"{phase.minutes:02d}:00 left"
        assert set(buttons) == {"start", "pause", "next"}
        assert buttons["pause"].get("aria-pressed") == "false"
        assert phase.title.get("en") in buttons["start"].text_content()
        assert all(
            b.get("type") == "button" and b.get("disabled") is not None for b in buttons.values()
        )
    assert items[-1].xpath('string(.//button[@data-action="next"])') == "Finish the session"


def test_the_header_gives_the_session_length_and_where_each_phase_sits(
    koula: SessionTemplate,
) -> None:
    root = parse(render(koula))
    last = phases(root)[-1]

    assert "Session length: 90 min" in root.xpath('string(.//*[@class="koula-staff-coverage"])')
    assert "90 min after you start" in root.xpath('string(.//*[@data-role="end"])')
    assert "1:25 to 1:30 into the session" in last.xpath('string(.//*[@class="koula-staff-meta"])')


def test_the_roles_are_listed_with_rotating_ones_marked(koula: SessionTemplate) -> None:
    roles = parse(render(koula)).xpath('.//ul[@class="koula-staff-roles"]/li')

    assert [r.xpath("string(strong)") for r in roles] == ["Host", "Timekeeper", "Scribe"]
    assert all("(rotates each session)" in r.text_content() for r in roles)
    assert "Runs the session from this run-sheet" in roles[0].text_content()


def test_the_next_host_and_the_volunteers_are_shown_escaped(koula: SessionTemplate) -> None:
    page = render(koula, next_host="Ana <i>Lima</i>", volunteers=["Ben", "<script>x</script>"])
    root = parse(page)

    assert "<script>" not in page and "<i>" not in page
    assert root.xpath('string(.//*[@data-role="next-host"])') == "Ana <i>Lima</i>"
    assert root.xpath('string(.//*[@data-role="volunteers"])') == "Ben, <script>x</script>"


def test_without_a_next_host_or_volunteers_the_page_says_so(koula: SessionTemplate) -> None:
    root = parse(render(koula))

    assert root.xpath('string(.//*[@data-role="next-host"])') == "Not chosen yet"
    assert root.xpath('string(.//*[@data-role="volunteers"])') == "No volunteer yet"


def test_the_script_context_carries_the_phases_and_the_words_of_the_timer(
    koula: SessionTemplate,
) -> None:
    page = render(koula, language="fr", auto_mount=True)
    root = parse(page)
    (script,) = root.xpath('.//script[@class="koula-staff-context"]')
    context = json.loads(script.text)

    assert root.get("data-koula-auto") is not None
    assert parse(render(koula)).get("data-koula-auto") is None
    assert [(p["key"], p["minutes"]) for p in context["phases"]] == [
        (p.key, p.minutes) for p in koula.phases
    ]
    assert context["lang"] == "fr" and context["key"].startswith("s1:default-koula:")
    assert "{time}" in context["i18n"]["left"] and "{time}" in context["i18n"]["over"]
    assert "{phase}" in context["i18n"]["overrun"]
    (live,) = root.xpath('.//*[@data-role="live"]')
    assert (live.get("aria-live"), live.get("role")) == ("polite", "status")


def test_ids_are_unique_with_two_run_sheets_on_a_page(koula: SessionTemplate) -> None:
    pages = [render(koula, uid=uid) for uid in ("a", "b", "block-v1:x+y@z")]
    root = lxml_html.fragment_fromstring("".join(pages), create_parent="div")

    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))
    labels = {ref for refs in root.xpath("//@aria-labelledby") for ref in refs.split()}
    assert labels <= set(ids)


# The staff assets --------------------------------------------------------------------------


def test_the_staff_script_and_stylesheet_stay_small() -> None:
    sizes = {
        name: len(gzip.compress(asset_text(name).encode("utf-8"), compresslevel=9))
        for name in ("koula-staff.js", "koula-staff.css")
    }

    assert sum(sizes.values()) <= STAFF_BUDGET_BYTES, sizes


def test_every_staff_style_rule_is_scoped_under_the_staff_root() -> None:
    css = re.sub(r"/\*.*?\*/", "", asset_text("koula-staff.css"), flags=re.S)
    selectors = [
        selector.strip()
        for block in re.findall(r"([^{}]+)\{", css)
        if not block.strip().startswith("@")
        for selector in block.split(",")
    ]

    assert selectors
    assert [s for s in selectors if not s.startswith(".koula-staff")] == []


def test_the_print_stylesheet_hides_the_buttons_and_keeps_the_charts() -> None:
    css = asset_text("koula-staff.css")
    printed = css[css.index("@media print") :]

    assert ".koula-staff button" in printed and ".koula-staff-actions" in printed
    assert (
        "koula-staff-chart" in printed
        and "display: none" not in printed.split(".koula-staff-chart")[1].split("}")[0]
    )
    assert "@media (prefers-reduced-motion: reduce)" in css


def test_the_staff_script_exposes_mount_and_auto_mounts_marked_roots() -> None:
    script = asset_text("koula-staff.js")

    assert "window.KoulaStaff = { mount, bindHandovers }" in script
    assert ".koula-staff[data-koula-auto]" in script
    assert "Date.now()" in script


# In Chromium -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def standalone(fragment: str, language: str) -> str:
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{asset_text('koula-staff.css')}</style></head><body>{fragment}"
        f"<script>{asset_text('koula-staff.js')}</script></body></html>"
    )


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Open a fragment as a file page (so that it can be reloaded) in a fresh context."""
    contexts: list[Any] = []

    def open_(fragment: str, *, width: int = 1280, clock: bool = False) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        if clock:  # then held still at 14:00, moved on only by the test
            page.clock.install(time=dt.datetime(2026, 12, 1, 13, 59, tzinfo=dt.UTC))
        path = tmp_path / f"page{len(contexts)}.html"
        path.write_text(standalone(fragment, "en"), encoding="utf-8")
        page.goto(path.as_uri())
        if clock:
            page.clock.pause_at(dt.datetime(2026, 12, 1, 14, 0, tzinfo=dt.UTC))
        return page

    yield open_
    for context in contexts:
        context.close()


LISTEN = """() => {
  window.said = [];
  const live = document.querySelector('[data-role="live"]');
  new MutationObserver(() => live.textContent && window.said.push(live.textContent))
    .observe(live, {childList: true, characterData: true, subtree: true});
}"""


@pytest.mark.e2e
def test_the_host_runs_the_timers_by_keyboard_and_hears_each_change_once(
    koula: SessionTemplate, open_page: Callable[..., Any]
) -> None:
    page = open_page(render(koula, auto_mount=True), width=360, clock=True)
    page.evaluate(LISTEN)
    first, second = (
        page.locator(".koula-staff-phase").nth(0),
        page.locator(".koula-staff-phase").nth(1),
    )

    def clock(item: Any) -> str:
        return item.locator('[data-role="clock"]').inner_text()

    first.locator('[data-action="start"]').focus()
    page.keyboard.press("Enter")
    page.clock.run_for(3_000)
    assert clock(first) == "14:57 left"
    assert page.evaluate("document.activeElement.dataset.action") == "pause"

    page.keyboard.press("Space")
    page.clock.run_for(5_000)
    assert clock(first) == "14:57 left"
    assert first.locator('[data-action="pause"]').get_attribute("aria-pressed") == "true"
    assert first.locator('[data-role="state"]').inner_text() == "Paused"

    first.locator('[data-action="next"]').click()
    assert first.get_attribute("data-state") == "done"
    assert second.get_attribute("aria-current") == "step"
    page.clock.run_for(16 * 60_000 + 500)
    assert clock(second).startswith("+01:0") and clock(second).endswith("over time")
    assert second.get_attribute("data-over") == "true"
    page.clock.run_for(60_000)

    assert page.evaluate("window.said") == [
        "Now: Check-in and experiment returns, 15 min.",
        "Now: Host demo: one practice or tool, 15 min.",
        "Host demo: one practice or tool is over time.",
    ]
    assert "Expected end at this pace" in page.locator('[data-role="end"]').inner_text()


@pytest.mark.e2e
def test_time_comes_from_the_clock_so_a_background_tab_and_a_reload_stay_right(
    koula: SessionTemplate, open_page: Callable[..., Any]
) -> None:
    page = open_page(render(koula, auto_mount=True), clock=True)
    first = page.locator(".koula-staff-phase").first
    first.locator('[data-action="start"]').click()

    page.clock.pause_at(dt.datetime(2026, 12, 1, 14, 10, tzinfo=dt.UTC))  # no timer fires
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert first.locator('[data-role="clock"]').inner_text() == "05:00 left"

    page.reload()
    assert first.locator('[data-role="clock"]').inner_text() == "05:00 left"
    assert first.get_attribute("data-state") == "running"
    assert first.get_attribute("aria-current") == "step"


@pytest.mark.e2e
def test_both_staff_pages_fit_a_phone_and_a_desktop_and_are_kept_as_screenshots(
    koula: SessionTemplate, open_page: Callable[..., Any]
) -> None:
    learners = cohort(koula)
    report = render_report(
        template=koula,
        report=impact_report(koula, learners, computed_at=COMPUTED),
        learners=rows(koula, learners),
        language="en",
        uid="r",
        csv_url="/report.csv",
    )
    ARTIFACTS.mkdir(exist_ok=True)
    for name, fragment in (("report", report), ("runsheet", render(koula, auto_mount=True))):
        for width in (1280, 360):
            page = open_page(fragment, width=width)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            page.screenshot(path=str(ARTIFACTS / f"staff-{name}-{width}px.png"), full_page=True)
