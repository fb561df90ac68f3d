"""Photograph ``koula demo`` for the guides: ``python devtools/screenshots.py [--output DIR]``.

Starts a real ``koula demo`` on a fresh data folder, walks it in headless Chromium with
the steps the demo's browser test checks (``devtools/demo_tour.py``), writes one PNG per
step to ``docs/guides/img/`` (or ``--output``), then stops the demo with SIGINT. Then, for
the gallery of every page in English and French (``docs/guides/pages.md``), it walks a fresh
demo per language the way the accessibility check does (every page that check audits,
pictured instead: ``page-<name>-<language>.png``). Run it after a change to the pages, so
the pictures in docs/guides stay true.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools import demo_tour  # noqa: E402
from devtools.running_demo import RunningDemo  # noqa: E402
from tests.accessibility.test_axe_pages import PAGES, Walk  # noqa: E402
from tests.e2e.servers import CHROMIUM_ARGS, chromium_path  # noqa: E402

VIEWPORT = {"width": 1100, "height": 900}
GALLERY_VIEWPORT = {"width": 1280, "height": 800}
LANGUAGES = ("en", "fr")


def gallery_name(page: str, language: str) -> str:
    """``page-learner-page-empty-fr.png`` for the walk's page "learner page, empty" in French."""
    words = re.findall(r"[a-z0-9]+", page.lower())
    return f"page-{'-'.join(words)}-{language}.png"


class Photographer(Walk):
    """The accessibility check's walk, each page pictured where that check audits it."""

    def __init__(self, page: Any, url: str, language: str, output: Path, data: Path) -> None:
        super().__init__(page, url, language, data=data)
        self.output = output
        self.written: list[Path] = []

    def audit(self, name: str) -> None:
        self.page.wait_for_load_state("load")
        path = self.output / gallery_name(name, self.language)
        self.page.screenshot(path=str(path))
        self.written.append(path)
        self.found[name] = []

    def audit_each_part(self, frame: Any, name: str) -> None:
        self.audit(name)  # the staff view as it opens


def workbench(page: Any, url: str, shot: demo_tour.Shot) -> None:
    """The Open edX side: the workbench's scenarios, then the first Koula scenario."""
    page.goto(f"{url}/")
    link = page.get_by_role("link", name="Open the Open edX workbench")
    page.goto(str(link.get_attribute("href")))
    shot("openedx-workbench-scenarios")
    page.locator('a[href*="/scenario/"]').first.click()
    page.locator(".koula[data-koula-ready]").first.wait_for()
    shot("openedx-workbench-activity")


def take(page: Any, url: str, output: Path) -> list[Path]:
    """Walk the demo at ``url`` and write the pictures; return their paths."""
    written: list[Path] = []

    def shot(name: str, element: Any = None) -> None:
        path = output / f"{name}.png"
        (element or page).screenshot(path=str(path))
        written.append(path)

    demo_tour.add_activity(page, url, shot)
    demo_tour.learner_completes_the_loop(page, url, shot)
    demo_tour.gradebook_shows(page, url, demo_tour.LEARNER_ID, "100.0", shot)
    demo_tour.instructor_reads_the_report(page, url, shot)
    demo_tour.a_second_session_brings_a_reminder(page, url, shot)
    workbench(page, url, shot)
    return written


def gallery(data: Path, language: str, output: Path) -> list[Path]:
    """Picture every page of a fresh demo (no workbench) in ``language``."""
    from playwright.sync_api import sync_playwright

    demo = RunningDemo(data, "--no-workbench")
    try:
        url = demo.wait_until_ready()
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
            )
            context = browser.new_context(viewport=GALLERY_VIEWPORT, locale=language)
            page = context.new_page()
            page.set_default_timeout(30_000)
            walk = Photographer(page, url, language, output, data)
            walk.everything()
            browser.close()
    finally:
        if demo.process.poll() is None:
            demo.stop()
    return walk.written


def write_gallery(path: Path) -> None:
    """Write the guide that shows the gallery: each page of the walk in both languages."""
    lines = [
        "# Every page, in English and in French",
        "",
        "Each page of `koula demo` that the accessibility check audits, pictured at 1280 x 800",
        "by `python devtools/screenshots.py` in the same walk: the sandbox LMS's course page,",
        "the picker, the learner page in each state (inside the course page's frame), the",
        "mailbox and a reminder e-mail, the gradebook, the staff view and the reports, the",
        "tool's error page and the page that ends a platform's registration. Taken anew after",
        "each change to the pages; see [the learner tour](learner-tour.md) for the story.",
        "",
    ]
    names = {"en": "English", "fr": "French"}
    for page in PAGES:
        lines += [f"## {page[0].upper()}{page[1:]}", ""]
        for language in LANGUAGES:
            alt = f"{page[0].upper()}{page[1:]}, in {names[language]}"
            lines += [f"![{alt}](img/{gallery_name(page, language)})", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "guides" / "img")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        demo = RunningDemo(Path(folder) / "data")
        try:
            url = demo.wait_until_ready()
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
                )
                page = browser.new_page(viewport=VIEWPORT)
                page.set_default_timeout(30_000)
                written = take(page, url, args.output)
                browser.close()
        finally:
            status = demo.stop() if demo.process.poll() is None else demo.process.returncode
        for language in LANGUAGES:
            written += gallery(Path(folder) / f"gallery-{language}", language, args.output)
    write_gallery(args.output.parent / "pages.md")
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
