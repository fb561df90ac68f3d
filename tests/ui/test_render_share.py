"""The commitment form's choice to share the commitment with the group (issue 11, point 3)."""

from __future__ import annotations

from dataclasses import replace

from lxml import html as lxml_html

from koula import LearnerState, learner_state_data
from koula.library import get_template
from koula_ui.assets import asset_text
from koula_ui.render import render_activity

KOULA = get_template("default-koula")


def page(state: LearnerState, language: str = "en"):
    html = render_activity(
        template=KOULA,
        state=learner_state_data(KOULA, state),
        language=language,
        context={},
        uid="u1",
    )
    return lxml_html.fragment_fromstring(html)


def test_the_commitment_form_offers_to_share_it_with_the_group_unchecked_by_default():
    root = page(LearnerState())
    (box,) = root.xpath('.//form[@data-part="commitment"]//input[@name="share_with_group"]')
    assert box.get("type") == "checkbox" and box.get("checked") is None
    help_id = box.get("aria-describedby")
    (help_text,) = root.xpath(f'.//*[@id="{help_id}"]')
    assert "Course staff always see it" in help_text.text_content()
    assert not root.xpath('.//form[@data-part!="commitment"]//input[@name="share_with_group"]')


def test_a_shared_commitment_shows_the_box_checked():
    root = page(replace(LearnerState(), share_commitment=True))
    (box,) = root.xpath('.//input[@name="share_with_group"]')
    assert box.get("checked") is not None


def test_the_script_sends_the_choice_with_the_commitment():
    script = asset_text("koula.js")
    assert "body.share_with_group = share.checked" in script


def test_the_choice_reads_in_french():
    root = page(LearnerState(), "fr")
    (label,) = root.xpath('.//label[@data-role="share-group"]')
    assert "groupe" in label.text_content()
