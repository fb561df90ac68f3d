"""The learner page: what koula_ui.render.render_activity draws, for people and for koula.js."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lxml import html as lxml_html

import koula_ui.environment
import koula_ui.render
from koula.library import library_templates
from koula.messages import gettext_for
from koula.template import SessionTemplate
from koula.template_format import parse_template_text
from koula_ui.render import render_activity
from koula_ui.strings import format_date

SAMPLE = """
format: 1
id: ui-sample
languages: [en, fr]
title: {en: Try a tool together, fr: Essayer un outil ensemble}
summary: {en: One hour to try a practice., fr: Une heure pour essayer une pratique.}
phases:
  - key: practise
    title: {en: Practise, fr: Pratiquer}
    minutes: 30
    mode: trios
    prompt: {en: Try it on a real case., fr: Essayez sur un cas réel.}
    host_notes: {en: HOST ONLY keep time, fr: HÔTE SEULEMENT tenez le temps}
  - key: close
    title: {en: Close, fr: Clôture}
    minutes: 10
    mode: plenary
roles:
  - {key: host, title: {en: Host, fr: Hôte}, description: {en: Runs it., fr: Anime.}}
deliverable:
  title: {en: Practice card, fr: Fiche pratique}
  intro: {en: Write what you tried., fr: Écrivez ce que vous avez essayé.}
  fields:
    - key: title
      label: {en: Title, fr: Titre}
      type: short_text
      required: true
      max_length: 120
      help: {en: A name others will recognise., fr: Un nom reconnaissable.}
    - {key: steps, label: {en: Steps, fr: Étapes}, type: list, max_items: 8}
    - {key: details, label: {en: Details, fr: Détails}, type: long_text}
    - {key: link, label: {en: Link, fr: Lien}, type: url}
    - key: level
      label: {en: Level, fr: Niveau}
      type: choice
      choices:
        - {value: beginner, label: {en: Beginner, fr: Débutant}}
        - {value: expert, label: {en: Expert, fr: Expert}}
    - {key: relevance, label: {en: Relevance, fr: Pertinence}, type: rating, required: true}
experiment:
  return_window_days: 14
  commitment:
    - {key: action, label: {en: I will try, fr: Je vais essayer}, type: short_text, required: true}
    - {key: by_date, label: {en: By, fr: D'ici le}, type: date}
  return:
    - key: applied
      label: {en: "Did it happen?", fr: "Est-ce arrivé ?"}
      type: choice
      required: true
      choices:
        - {value: "yes", label: {en: "Yes", fr: Oui}}
        - {value: "no", label: {en: "No", fr: Non}}
    - {key: what_happened, label: {en: What happened, fr: Ce qui s'est passé}, type: long_text}
"""

SUBMITTED_AT = "2026-11-30T10:00:00.000Z"


@pytest.fixture(scope="module")
def template() -> SessionTemplate:
    return parse_template_text(SAMPLE, source="tests/ui/test_render.py")


def state(**parts: dict[str, Any]) -> dict[str, Any]:
    """Return a learner state in contract form, every part empty unless given."""
    data: dict[str, Any] = {
        "deliverable": {"status": "empty", "values": {}, "draft": None, "submitted_at": None},
        "commitment": {
            "status": "empty",
            "values": {},
            "draft": None,
            "committed_at": None,
            "due_on": None,
        },
        "return": {
            "status": "empty",
            "values": {},
            "draft": None,
            "submitted_at": None,
            "on_time": None,
        },
        "progress": {"completion": 0.0, "score": 0.0, "activity": "Initialized"},
    }
    for name, value in parts.items():
        data[name.rstrip("_")] = {**data[name.rstrip("_")], **value}
    return data


COMMITTED = {
    "status": "committed",
    "values": {"action": "Pair review"},
    "committed_at": SUBMITTED_AT,
    "due_on": "2026-12-14",
}


def render(template: SessionTemplate, learner: dict[str, Any] | None = None, **options: Any) -> str:
    arguments: dict[str, Any] = {"language": "en", "context": {}, "uid": "b1"} | options
    return render_activity(template=template, state=learner or state(), **arguments)


def parse(page: str) -> Any:
    return lxml_html.fragment_fromstring(page)


def form(root: Any, part: str) -> Any:
    (found,) = root.xpath(f'.//form[@data-part="{part}"]')
    return found


def control(root: Any, part: str, key: str) -> Any:
    (found,) = form(root, part).xpath(f'.//*[@data-field="{key}"]//*[@name="{key}"]')
    return found


def context_of(page: str) -> dict[str, Any]:
    (script,) = parse(page).xpath('.//script[@class="koula-context"]')
    return json.loads(script.text)


def visible(element: Any) -> bool:
    return element.get("hidden") is None


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("library_template", library_templates(), ids=lambda t: t.id)
def test_every_library_template_renders_every_field_in_both_languages(
    library_template: SessionTemplate, language: str
) -> None:
    root = parse(render(library_template, language=language))

    assert root.get("lang") == language
    assert library_template.title.get(language) in root.xpath("string(.//h2)")
    for part in library_template.parts():
        for field in library_template.fields_of(part):
            (wrapper,) = form(root, part.value).xpath(f'.//*[@data-field="{field.key}"]')
            assert wrapper.get("data-type") == field.type.value
            assert field.label.get(language) in wrapper.text_content()


def test_template_texts_come_in_the_learners_language(template: SessionTemplate) -> None:
    page = render(template, language="fr")

    assert "Essayer un outil ensemble" in page
    assert "Étapes" in page
    assert "Try a tool together" not in page


def test_learner_text_is_escaped_in_the_page(template: SessionTemplate) -> None:
    attack = '"><script>alert(1)</script>'
    learner = state(deliverable={"status": "draft", "values": {"title": attack, "details": attack}})

    page = render(template, learner)
    root = parse(page)

    assert "<script>alert" not in page
    assert control(root, "deliverable", "title").get("value") == attack
    assert control(root, "deliverable", "details").text.strip() == attack


def test_context_json_parses_back_and_cannot_close_its_script_tag(
    template: SessionTemplate,
) -> None:
    sneaky = "</script><script>alert(1)</script><!--"
    learner = state(deliverable={"status": "draft", "values": {"title": sneaky}})

    page = render(template, learner, context={"api": "/lti/api/7", "token": "t.k.n"})
    data = context_of(page)

    assert page.count("</script>") == 1
    assert "<!--" not in page
    assert data["state"] == learner
    assert data["api"] == "/lti/api/7" and data["token"] == "t.k.n"
    assert data["lang"] == "en"
    assert data["i18n"]["submit_deliverable"] == "Submit practice card"
    assert len(data["i18n"]["months"]) == 12


def test_every_field_has_a_label_and_an_error_linked_by_aria_describedby(
    template: SessionTemplate,
) -> None:
    root = parse(render(template, state(commitment=COMMITTED)))
    fields = root.xpath('.//*[@class="koula-field"]')

    assert len(fields) == sum(len(template.fields_of(part)) for part in template.parts())
    for wrapper in fields:
        key = wrapper.get("data-field")
        groups = wrapper.xpath('.//fieldset[@role="radiogroup"]')
        if groups:
            described = groups[0]
            assert groups[0].xpath("string(legend)").strip(), key
        else:
            described = wrapper.xpath(f'.//*[@name="{key}"]')[0]
            labels = root.xpath(f'.//label[@for="{described.get("id")}"]')
            assert len(labels) == 1 and labels[0].text_content().strip(), key
        ids = described.get("aria-describedby").split()
        (error,) = wrapper.xpath('.//p[@class="koula-error"]')
        assert error.get("id") in ids and error.get("id").endswith("-error")
        assert not visible(error) and not error.text_content()
        for help_ in wrapper.xpath('.//p[@class="koula-help"]'):
            assert help_.get("id") in ids


def test_required_fields_say_so_in_the_label_and_to_assistive_technology(
    template: SessionTemplate,
) -> None:
    root = parse(render(template))
    title = form(root, "deliverable").xpath('.//*[@data-field="title"]')[0]
    steps = form(root, "deliverable").xpath('.//*[@data-field="steps"]')[0]
    rating = form(root, "deliverable").xpath('.//*[@data-field="relevance"]//fieldset')[0]

    assert "(required)" in title.xpath("string(.//label)")
    assert control(root, "deliverable", "title").get("aria-required") == "true"
    assert rating.get("aria-required") == "true" and "(required)" in rating.text_content()
    assert "(required)" not in steps.text_content()
    assert steps.xpath('.//*[@name="steps"]')[0].get("aria-required") is None


def test_controls_follow_the_field_types(template: SessionTemplate) -> None:
    root = parse(render(template))
    deliverable = form(root, "deliverable")

    assert control(root, "deliverable", "title").get("type") == "text"
    assert control(root, "deliverable", "details").tag == "textarea"
    assert control(root, "deliverable", "steps").tag == "textarea"
    assert "One item per line." in deliverable.xpath('string(.//*[@data-field="steps"])')
    assert control(root, "deliverable", "link").get("type") == "url"
    assert control(root, "commitment", "by_date").get("type") == "text"  # in the page's pattern
    level = deliverable.xpath('.//*[@data-field="level"]//input[@type="radio"]')
    assert [radio.get("value") for radio in level] == ["beginner", "expert"]
    scale = deliverable.xpath('.//*[@data-field="relevance"]')[0]
    assert [r.get("value") for r in scale.xpath(".//input")] == ["1", "2", "3", "4", "5"]
    assert "low" in scale.xpath("string(.//label[1])") and "high" in scale.xpath(
        "string(.//label[5])"
    )


def test_limits_are_stated_in_the_help_and_never_truncate(template: SessionTemplate) -> None:
    page = render(template)
    root = parse(page)

    assert "maxlength" not in page
    assert "120 characters at most." in form(root, "deliverable").xpath(
        'string(.//*[@data-field="title"]//p[@class="koula-help"])'
    )


def test_submitted_values_fill_the_controls(template: SessionTemplate) -> None:
    learner = state(
        deliverable={
            "status": "submitted",
            "values": {"title": "Pair review", "steps": ["Ask", "Listen"], "relevance": 4},
            "submitted_at": SUBMITTED_AT,
        }
    )

    root = parse(render(template, learner))
    deliverable = form(root, "deliverable")

    assert control(root, "deliverable", "title").get("value") == "Pair review"
    assert control(root, "deliverable", "steps").text.strip() == "Ask\nListen"
    assert deliverable.xpath('.//input[@name="relevance"][@checked]/@value') == ["4"]
    assert not visible(deliverable.xpath('.//*[@data-role="changes"]')[0])
    assert deliverable.xpath("string(.//button[@type='submit'])").strip() == "Submit changes"


def test_a_draft_over_submitted_values_is_shown_with_a_note(template: SessionTemplate) -> None:
    learner = state(
        deliverable={
            "status": "submitted",
            "values": {"title": "Old title", "relevance": 4},
            "draft": {"title": "New title", "relevance": 2},
            "submitted_at": SUBMITTED_AT,
        }
    )

    root = parse(render(template, learner))
    deliverable = form(root, "deliverable")
    (note,) = deliverable.xpath('.//*[@data-role="changes"]')

    assert control(root, "deliverable", "title").get("value") == "New title"
    assert deliverable.xpath('.//input[@name="relevance"][@checked]/@value') == ["2"]
    assert visible(note) and "not yet submitted" in note.text_content()
    status = deliverable.xpath('.//*[@data-role="status"]')[0]
    assert status.get("data-status") == "submitted"
    assert status.xpath(".//time/@datetime") == ["2026-11-30"]
    assert "30 November 2026" in status.text_content()


def test_return_form_is_locked_until_the_learner_commits(template: SessionTemplate) -> None:
    root = parse(render(template))
    returned = form(root, "return")

    assert returned.xpath('.//fieldset[@class="koula-body"]/@disabled') != []
    assert visible(returned.xpath('.//*[@data-role="lock"]')[0])
    assert "Commit to an experiment first" in returned.text_content()
    assert not visible(returned.xpath('.//*[@data-role="due"]')[0])


def test_return_form_opens_with_the_due_date_once_committed(template: SessionTemplate) -> None:
    root = parse(render(template, state(commitment=COMMITTED)))
    returned = form(root, "return")
    (due,) = returned.xpath('.//*[@data-role="due"]')

    assert returned.xpath('.//fieldset[@class="koula-body"]/@disabled') == []
    assert not visible(returned.xpath('.//*[@data-role="lock"]')[0])
    assert visible(due) and due.xpath(".//time/@datetime") == ["2026-12-14"]
    assert "14 December 2026" in due.text_content()
    commitment_status = form(root, "commitment").xpath('string(.//*[@data-role="status"])')
    assert "14 December 2026" in commitment_status


def test_submit_buttons_name_what_they_do(template: SessionTemplate) -> None:
    root = parse(render(template))

    labels = [
        form(root, part).xpath("string(.//button[@type='submit'])").strip()
        for part in ("deliverable", "commitment", "return")
    ]

    assert labels == ["Submit practice card", "Commit to this experiment", "Submit my return"]


def test_preview_disables_every_control_and_offers_no_submit(template: SessionTemplate) -> None:
    page = render(template, state(commitment=COMMITTED), preview=True, auto_mount=True)
    root = parse(page)

    assert root.get("data-koula-preview") is not None
    assert root.get("data-koula-auto") is None
    assert "Preview: learners will fill in these forms" in page
    assert root.xpath(".//button") == []
    for body in root.xpath('.//fieldset[@class="koula-body"]'):
        assert body.get("disabled") is not None
    context_of(page)  # still present and readable


def test_a_template_without_experiment_has_only_the_practice_card_form() -> None:
    solo = parse_template_text(SAMPLE.split("experiment:")[0])

    root = parse(render(solo))

    forms = root.xpath('.//form[@class="koula-form"]')
    assert [f.get("data-part") for f in forms] == ["deliverable"]


def test_ids_are_unique_on_a_page_holding_several_activities(template: SessionTemplate) -> None:
    learner = state(commitment=COMMITTED)
    uids = ["b1", "b2", "block-v1:org+course+run+type@koula+block@abc", "block-v1:org+x"]
    pages = [render(template, learner, uid=uid) for uid in uids]
    root = lxml_html.fragment_fromstring("".join(pages), create_parent="div")

    ids = root.xpath("//@id")
    assert len(ids) == len(set(ids))
    references = root.xpath("//@for")
    references += [
        ref
        for value in root.xpath("//@aria-labelledby | //@aria-describedby")
        for ref in value.split()
    ]
    assert set(references) <= set(ids)
    assert [r.get("data-koula-uid") for r in root.xpath("./div")] == uids


def test_agenda_shows_participant_prompts_but_not_host_notes(template: SessionTemplate) -> None:
    page = render(template)
    root = parse(page)

    assert "Try it on a real case." in page
    assert "HOST ONLY" not in page
    phases = root.xpath('.//li[@class="koula-phase"]')
    assert [p.get("data-phase") for p in phases] == ["practise", "close"]
    assert "30 min" in phases[0].text_content() and "In trios" in phases[0].text_content()
    assert "40 min" in root.xpath('string(.//*[@data-role="session-length"])')


def test_progress_shows_percentages_and_the_activity_word(template: SessionTemplate) -> None:
    learner = state(commitment=COMMITTED)
    learner["progress"] = {"completion": 2 / 3, "score": 0.5, "activity": "Submitted"}

    root = parse(render(template, learner))

    assert root.xpath('string(.//*[@data-progress="completion"])') == "67%"
    assert root.xpath('string(.//*[@data-progress="score"])') == "50%"
    activity = root.xpath('.//*[@data-progress="activity"]')[0]
    assert activity.text_content() == "Submitted — report back due"
    assert activity.get("data-value") == "Submitted"


def test_a_new_learner_with_an_empty_state_sees_empty_forms(template: SessionTemplate) -> None:
    root = parse(render_activity(template=template, state={}, language="en", context={}, uid="n"))

    assert root.xpath('string(.//*[@data-progress="activity"])') == "Not started"
    statuses = root.xpath('.//*[@data-role="status"]')
    assert {s.text_content() for s in statuses} == {"Not started yet."}


def test_the_lti_page_names_its_context_and_asks_to_be_mounted(template: SessionTemplate) -> None:
    root = parse(render(template, context_id="koula-context", auto_mount=True))

    assert root.xpath('.//script[@id="koula-context"]/@class') == ["koula-context"]
    assert root.get("data-koula-auto") is not None
    assert parse(render(template)).get("data-koula-auto") is None


def test_the_status_region_and_form_alerts_are_in_place(template: SessionTemplate) -> None:
    root = parse(render(template))

    (live,) = root.xpath('.//*[contains(@class, "koula-status")]')
    assert live.get("aria-live") == "polite"
    for part in ("deliverable", "commitment", "return"):
        assert form(root, part).xpath('.//*[@data-role="form-error"]/@role') == ["alert"]
        assert form(root, part).get("novalidate") is not None


@pytest.fixture
def marked_gettext(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], str]]:
    """Make every language's gettext wrap messages in «», to spot untranslatable text."""

    def fake_gettext_for(language: str | None) -> Callable[[str], str]:
        return lambda message: f"«{message}»"

    monkeypatch.setattr(koula_ui.render, "gettext_for", fake_gettext_for)
    monkeypatch.setattr(koula_ui.environment, "gettext_for", fake_gettext_for)
    koula_ui.environment._environment.cache_clear()
    yield fake_gettext_for("fr")
    koula_ui.environment._environment.cache_clear()


def test_ui_strings_and_the_script_strings_go_through_gettext(
    template: SessionTemplate, marked_gettext: Callable[[str], str]
) -> None:
    page = render(template, state(commitment=COMMITTED), language="fr")
    root = parse(page)

    def strings(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)

    assert all(s.startswith("«") for s in strings(context_of(page)["i18n"]))
    assert "«Submit practice card»" in page
    assert "«Session agenda»" in page
    assert "(«required»)" in page
    assert "«14 «December» 2026»" in form(root, "return").text_content()


def test_dates_follow_the_catalogs_order_and_month_names() -> None:
    french = {"{day} {month} {year}": "{day} {month} {year}", "December": "décembre"}

    assert format_date("2026-12-14", lambda m: french.get(m, m)) == "14 décembre 2026"
    assert format_date("2026-12-14T23:59:00.000Z", gettext_for("en")) == "14 December 2026"
    assert format_date(None, gettext_for("en")) == ""


def test_submit_buttons_wait_for_the_script_so_an_early_click_cannot_lose_text():
    html = koula_ui.render.render_activity(
        template=library_templates()[0], state={}, language="en", context={}, uid="early"
    )
    buttons = re.findall(r"<button[^>]*type=\"submit\"[^>]*>", html)
    assert buttons
    assert all("disabled" in b and "data-koula-enable" in b for b in buttons)


def test_the_learner_can_offer_to_host_the_next_session_and_sees_the_offer():
    template = library_templates()[0]
    offered = koula_ui.render.render_activity(
        template=template,
        state={"host": {"volunteered": True}},
        language="en",
        context={},
        uid="host",
    )
    button = parse(offered).xpath(".//section[@data-koula-host]//button")[0]
    assert button.get("aria-pressed") == "true"
    fresh = koula_ui.render.render_activity(
        template=template, state={}, language="en", context={}, uid="host"
    )
    assert (
        parse(fresh).xpath(".//section[@data-koula-host]//button")[0].get("aria-pressed") == "false"
    )
    preview = koula_ui.render.render_activity(
        template=template, state={}, language="en", context={}, uid="host", preview=True
    )
    assert "data-koula-host" not in preview
