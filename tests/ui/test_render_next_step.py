"""The next step first (issue 12): the server draws only the current part open, the parts done
folded to a line that opens for editing, the agenda after them, and "All done" at the end."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import html as lxml_html

from koula.library import get_template
from koula.template_format import parse_template_text
from koula_ui.render import render_activity
from tests.ui.test_render import SAMPLE
from tests.ui.test_render_carried import carried

TEMPLATE = get_template("default-koula")
CARD = {
    "status": "submitted",
    "values": {"practice_name": "Pair review"},
    "submitted_at": "2026-12-03T10:00:00Z",
}
COMMITTED = {
    "status": "committed",
    "values": {"action": "Try pair review on Monday", "confidence": 3},
    "committed_at": "2026-12-03T10:30:00Z",
    "due_on": "2026-12-17",
}
RETURNED = {
    "status": "submitted",
    "values": {"applied": "partly", "what_happened": "Twice.", "confidence": 4},
    "submitted_at": "2026-12-16T08:00:00Z",
}
STATES: dict[str, dict[str, Any]] = {
    "empty": {},
    "card submitted": {"deliverable": CARD},
    "committed": {"deliverable": CARD, "commitment": COMMITTED},
    "returned": {"deliverable": CARD, "commitment": COMMITTED, "return": RETURNED},
}
OPEN_PART = {"empty": "deliverable", "card submitted": "commitment", "committed": "return"}


def page(state: dict[str, Any], language: str = "en", **options: Any) -> Any:
    fragment = render_activity(
        template=TEMPLATE, state=state, language=language, context={}, uid="a7", **options
    )
    return lxml_html.fragment_fromstring(fragment)


def fold_of(root: Any, part: str) -> Any:
    (button,) = root.xpath(f'.//form[@data-part="{part}"]/h3/button[@class="koula-fold"]')
    return button


def is_open(root: Any, button: Any) -> bool:
    (region,) = root.xpath(f'.//*[@id="{button.get("aria-controls")}"]')
    opened = button.get("aria-expanded") == "true"
    assert opened == (region.get("hidden") is None)  # the button says what the region is
    return opened


def agenda_fold(root: Any) -> Any:
    (button,) = root.xpath('.//*[@data-role="agenda"]/h3/button')
    return button


@pytest.mark.parametrize("name", list(STATES))
def test_only_the_next_step_is_open_and_the_parts_done_are_folded(name: str) -> None:
    root = page(STATES[name])

    opened = [p for p in ("deliverable", "commitment", "return") if is_open(root, fold_of(root, p))]

    assert opened == ([OPEN_PART[name]] if name in OPEN_PART else [])


@pytest.mark.parametrize("name", ["card submitted", "committed", "returned"])
def test_a_part_done_is_one_line_with_its_date_and_an_edit_button(name: str) -> None:
    root = page(STATES[name])
    button = fold_of(root, "deliverable")

    assert button.get("aria-expanded") == "false"
    assert "Practice card" in button.text_content()
    assert "Submitted on 3 December 2026." in button.text_content()
    assert button.xpath('string(.//*[@class="koula-fold-word"])') == "Edit"
    assert button.get("disabled") is not None and button.get("data-koula-enable") is not None


def test_after_the_return_the_commitment_opens_read_only_and_the_others_for_editing() -> None:
    root = page(STATES["returned"])
    word = './/*[@class="koula-fold-word"]'

    words = {
        p: fold_of(root, p).xpath(f"string({word})")
        for p in ("deliverable", "commitment", "return")
    }
    assert words == {"deliverable": "Edit", "commitment": "Show", "return": "Edit"}
    (commitment,) = root.xpath('.//form[@data-part="commitment"]')
    assert commitment.get("data-step") == "final"
    assert len(commitment.xpath(".//fieldset[@class='koula-body']/@disabled")) == 1
    assert len(commitment.xpath(".//div[@class='koula-actions']/@hidden")) == 1
    for part in ("deliverable", "return"):
        (form,) = root.xpath(f'.//form[@data-part="{part}"]')
        assert form.xpath(".//fieldset[@class='koula-body']/@disabled") == []
        assert form.xpath(".//div[@class='koula-actions']/@hidden") == []
    line = root.xpath('string(.//*[@data-role="done-line"])')
    assert "open a part to change them" not in line
    assert "open a part to see them; those marked Edit can still be changed" in line


def test_before_the_return_the_commitment_still_opens_for_editing() -> None:
    root = page(STATES["committed"])

    assert fold_of(root, "commitment").xpath('string(.//*[@class="koula-fold-word"])') == "Edit"
    (commitment,) = root.xpath('.//form[@data-part="commitment"]')
    assert commitment.get("data-step") == "done"
    assert commitment.get("data-final-after") == "return"  # koula.js applies the same rule
    assert commitment.xpath(".//fieldset[@class='koula-body']/@disabled") == []


def test_a_part_not_done_yet_says_show_and_the_open_one_says_hide() -> None:
    root = page({})

    assert fold_of(root, "deliverable").xpath('string(.//*[@class="koula-fold-word"])') == "Hide"
    assert fold_of(root, "commitment").xpath('string(.//*[@class="koula-fold-word"])') == "Show"


def test_the_agenda_comes_after_the_parts_open_until_the_card_is_in() -> None:
    for name, agenda_open in [("empty", True), ("card submitted", False), ("returned", False)]:
        root = page(STATES[name])
        assert is_open(root, agenda_fold(root)) is agenda_open, name
    root = page({})
    order = [
        element.get("data-role") or element.get("data-part")
        for element in root.xpath('.//*[@data-role="agenda" or @data-role="carried"] | .//form')
    ]
    assert order.index("return") < order.index("agenda")
    assert "90 min" in agenda_fold(root).text_content()
    assert TEMPLATE.summary.get("en")[:40] in root.xpath('string(.//*[@data-role="agenda"])')


def test_the_open_return_recalls_the_experiment_its_due_date_and_the_calendar() -> None:
    root = page(STATES["committed"], calendar_url="https://tool.example/cal")
    (returned,) = root.xpath('.//form[@data-part="return"]')

    (what,) = returned.xpath('.//*[@data-role="what"]')
    assert what.get("hidden") is None and what.get("data-key") == "action"
    assert what.text_content() == "Your experiment: Try pair review on Monday"
    (due,) = returned.xpath('.//*[@data-role="due"]')
    assert due.get("hidden") is None and "17 December 2026" in due.text_content()
    assert returned.xpath('.//*[@data-role="calendar"]')[0].get("hidden") is None


def test_the_locked_return_says_why_and_draws_no_disabled_questions() -> None:
    root = page({})
    (returned,) = root.xpath('.//form[@data-part="return"]')

    assert returned.xpath('.//*[@data-role="lock"]')[0].get("hidden") is None
    (body,) = returned.xpath('.//fieldset[@class="koula-body"]')
    assert body.get("hidden") is not None and body.get("disabled") is not None


def test_all_done_shows_under_the_header_once_the_return_is_in_with_its_answer() -> None:
    for name in ("empty", "committed"):
        assert page(STATES[name]).xpath('.//*[@data-role="all-done"]')[0].get("hidden") == ""

    root = page(STATES["returned"])
    (done,) = root.xpath('.//*[@data-role="all-done"]')

    assert done.get("hidden") is None
    assert "16 December 2026" in done.xpath('string(.//*[@data-role="done-line"])')
    result = done.xpath('string(.//*[@data-role="done-result"])')
    assert "Did you carry out your experiment?" in result
    assert "Partly, or in a different form" in result
    assert done.xpath("h3/@tabindex") == ["-1"]
    first_part = root.xpath(".//form")[0]
    assert root.index(done) < root.index(first_part.getparent())


def test_all_done_speaks_french_to_a_french_learner() -> None:
    root = page(STATES["returned"], language="fr")
    (done,) = root.xpath('.//*[@data-role="all-done"]')

    assert done.xpath("string(h3)") == "Tout est fait"
    assert "16 décembre 2026" in done.xpath('string(.//*[@data-role="done-line"])')
    assert fold_of(root, "deliverable").xpath('string(.//*[@class="koula-fold-word"])') == (
        "Modifier"
    )


def test_a_template_with_only_a_card_is_all_done_once_the_card_is_in() -> None:
    solo = parse_template_text(SAMPLE.split("experiment:")[0])
    card = {"status": "submitted", "values": {"title": "T"}, "submitted_at": CARD["submitted_at"]}
    fragment = render_activity(
        template=solo, state={"deliverable": card}, language="en", context={}, uid="s"
    )
    root = lxml_html.fragment_fromstring(fragment)

    assert [f.get("data-part") for f in root.xpath(".//form[@data-part]")] == ["deliverable"]
    (done,) = root.xpath('.//*[@data-role="all-done"]')
    assert done.get("hidden") is None and done.xpath('.//*[@data-role="done-result"]') == []
    assert "3 December 2026" in done.text_content()


def test_a_preview_draws_every_part_open_without_fold_buttons() -> None:
    root = page(STATES["committed"], preview=True)

    assert root.xpath('.//*[@class="koula-fold"]') == []
    assert root.xpath('.//*[@class="koula-region"][@hidden]') == []
    assert root.xpath('.//*[@data-role="all-done"]') == []


def test_an_earlier_sessions_open_experiment_comes_before_the_parts() -> None:
    root = page({}, carried=[carried()], carried_forms=True)

    forms = root.xpath(".//form")
    assert "koula-carried-form" in forms[0].get("class")
    assert forms[0].xpath('.//*[@class="koula-region"][@hidden]') == []
    assert is_open(root, fold_of(root, "deliverable"))
