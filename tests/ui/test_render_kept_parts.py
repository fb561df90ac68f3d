"""What the learner page keeps from one render to the next (issue 14): the questions around the
answers, the agenda, the community's and the host's sections, the script's strings. A kept
part never carries one learner's answers or choices into another's page, follows a template
edited by staff, and the page reads exactly as if drawn from scratch."""

from __future__ import annotations

import copy
from typing import Any

from jinja2.utils import htmlsafe_json_dumps

from koula.messages import gettext_for
from koula.template_format import parse_template_text
from koula_ui.render import render_activity
from koula_ui.same import Same
from koula_ui.strings import script_strings
from tests.ui.test_render import SAMPLE, control, form, parse, render, state

ANSWERS = {
    "title": "Ana's pair review",
    "steps": ["Ask a colleague", "Swap drafts"],
    "details": "Only on Mondays",
    "link": "https://ana.example.test/review",
    "level": "expert",
    "relevance": 4,
}


def template_from(text: str) -> Any:
    return parse_template_text(text, source="tests/ui/test_render_kept_parts.py")


def test_a_learners_answers_never_reach_the_next_learners_page() -> None:
    template = template_from(SAMPLE)
    ana = state(
        deliverable={"status": "submitted", "values": ANSWERS, "submitted_at": "2026-12-01"},
        commitment={
            "status": "draft",
            "values": {"action": "Ana tries it", "by_date": "2026-12-24"},
        },
    )
    ana |= {"community": {"shared": True}, "host": {"volunteered": True}}

    ana_page = render(template, ana)
    ben_page = render(template, state())

    assert "Ana" in ana_page and "24/12/2026" in ana_page
    assert "Ana" not in ben_page and "Swap drafts" not in ben_page and "2026-12" not in ben_page
    root = parse(ben_page)
    assert not root.xpath(".//input[@checked]")
    assert control(root, "deliverable", "title").get("value") == ""
    assert root.xpath('.//*[@data-role="share"]/@aria-pressed') == ["false"]
    assert root.xpath(".//section[@data-koula-host]//button/@aria-pressed") == ["false"]


def test_a_template_edited_by_staff_is_drawn_with_its_new_words_at_once() -> None:
    before = template_from(SAMPLE)
    after = template_from(SAMPLE.replace("{en: Title, fr: Titre}", "{en: Headline, fr: Titre}"))

    render(before)
    root = parse(render(after))

    (label,) = form(root, "deliverable").xpath('.//label[@for="koula-b1-deliverable-title"]')
    assert label.text_content().startswith("Headline")


def test_each_activity_on_a_page_has_its_own_ids_in_the_kept_parts() -> None:
    template = template_from(SAMPLE)

    first, second = parse(render(template, uid="one")), parse(render(template, uid="two"))

    assert first.xpath('.//*[@data-role="agenda"]/@aria-labelledby') == ["koula-one--agenda"]
    assert second.xpath('.//*[@data-role="agenda"]/@aria-labelledby') == ["koula-two--agenda"]
    assert second.xpath('.//input[@name="title"]/@id') == ["koula-two-deliverable-title"]


def test_the_script_context_reads_as_jinjas_tojson_writes_it() -> None:
    template = template_from(SAMPLE)
    learner = state(deliverable={"status": "draft", "values": {"title": "<b>Ana's & co</b>"}})
    # Keys that sort differently once quoted ("a b" before "a" as text) and one the page sets.
    context = {"token": "t.k'n", "a b": {"z": 1, "a": [2]}, "a": "</script>", "i18n": "mine"}

    page = render_activity(
        template=template, state=copy.deepcopy(learner), language="fr", context=context, uid="c"
    )

    script = {**context, "state": learner, "lang": "fr", "i18n": script_strings(gettext_for("fr"))}
    assert f">{htmlsafe_json_dumps(script, sort_keys=True)}</script>" in page


def test_a_kept_part_is_found_by_the_very_object_not_by_an_equal_one() -> None:
    texts = {"en": "Title"}

    assert Same(texts) == Same(texts) and hash(Same(texts)) == hash(Same(texts))
    assert Same(texts) != Same(dict(texts))
