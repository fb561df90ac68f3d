"""The guides in docs/guides show pictures that exist, taken by devtools/screenshots.py."""

from __future__ import annotations

import re

from devtools import screenshots

GUIDES = screenshots.ROOT / "docs" / "guides"
PICTURE = re.compile(r"!\[[^\]]+\]\((img/[\w-]+\.png)\)")


def pictures_shown() -> set[str]:
    return {found for guide in GUIDES.glob("*.md") for found in PICTURE.findall(guide.read_text())}


def test_every_picture_a_guide_shows_is_there_with_a_text_alternative():
    shown = pictures_shown()
    assert shown
    assert sorted(name for name in shown if not (GUIDES / name).is_file()) == []


def test_every_picture_taken_is_shown_in_a_guide():
    taken = {f"img/{path.name}" for path in (GUIDES / "img").glob("*.png")}
    assert sorted(taken - pictures_shown()) == []


def test_each_lms_guide_says_its_lms_steps_were_not_run_against_that_lms():
    for name in ("moodle", "canvas", "brightspace", "open-edx"):
        text = (GUIDES / f"{name}.md").read_text()
        assert "not run against a real" in text, name
