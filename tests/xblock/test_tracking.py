"""The block's xAPI tracking events name it by language only where the language is known
(koula_xblock/tracking.py)."""

from __future__ import annotations

from tests.xblock.runtime import Course, call
from tests.xblock.test_learner_actions import card_values


def names_published(display_name: str) -> list[tuple[str, dict[str, str]]]:
    course = Course(lms=True)
    block = course.block("ana", display_name=display_name)
    status, answer = call(block, "submit_deliverable", {"values": card_values(block)})
    assert status == 200, answer
    return [
        (data.get("language", ""), data["names"])
        for name, data in block.runtime.events
        if name == "edx.koula.submitted"
    ]


def test_a_display_name_of_its_own_is_named_only_in_the_learners_language():
    ((language, names),) = names_published("Atelier du lundi")
    assert names == {language or "und": "Atelier du lundi"}


def test_the_template_s_title_as_display_name_names_the_block_in_each_language():
    block = Course().block("ana")
    titles = dict(block.template().title.by_language)
    ((_language, names),) = names_published(titles["en"])
    assert names == titles
