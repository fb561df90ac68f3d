"""The experiments carried over from earlier sessions on the learner page (carried.html): a link
to the earlier session by default (Open edX), its return form with ``carried_forms`` (LTI)."""

from __future__ import annotations

import datetime as dt

from lxml import html as lxml_html

from koula import CarriedExperiment, LearnerState, Session
from koula.library import get_template
from koula_ui.render import render_activity

TEMPLATE = get_template("default-koula")
CARRIED_FORM = './/*[@data-role="carried"]//form[contains(@class, "koula-carried-form")]'
COMMITTED = {
    "commitment": {
        "values": {"action": "Try pair review", "success_signal": "Two reviews", "confidence": 3},
        "committed_at": "2026-11-02T09:00:00.000Z",
        "due_on": "2026-11-16",
    },
}


def carried(draft: dict | None = None) -> CarriedExperiment:
    stored = dict(COMMITTED)
    if draft is not None:
        stored["return"] = {"values": draft}  # not submitted: its values are the draft
    state = LearnerState.from_data(stored)
    session = Session(
        id="41",
        title="Week one",
        template=TEMPLATE,
        created_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
        url="https://lms.example.test/unit/41",
    )
    return CarriedExperiment(
        session=session,
        number=1,
        what="Try pair review",
        committed_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC),
        due_on=dt.date(2026, 11, 16),
        overdue=False,
        state=state,
    )


def page(found: CarriedExperiment, **options) -> lxml_html.HtmlElement:
    fragment = render_activity(
        template=TEMPLATE,
        state={},
        language="en",
        context={},
        uid="a42",
        carried=[found],
        **options,
    )
    return lxml_html.fragment_fromstring(fragment)


def test_by_default_the_carried_experiment_links_to_its_session():
    root = page(carried())
    (item,) = root.xpath('.//*[@data-role="carried"]//li')
    assert item.xpath('.//*[@data-role="carried-link"]')[0].get("href") == (
        "https://lms.example.test/unit/41"
    )
    assert not root.xpath(CARRIED_FORM)


def test_with_carried_forms_the_earlier_sessions_return_form_comes_first():
    root = page(carried(), carried_forms=True)
    (form,) = root.xpath(CARRIED_FORM)
    assert form.get("data-session") == "41" and form.get("data-part") == "return"
    keys = [field.get("data-field") for field in form.xpath(".//*[@data-field]")]
    assert keys == [field.key for field in TEMPLATE.fields_of(TEMPLATE.parts()[-1])]
    link = root.xpath('.//*[@data-role="carried-link"]')[0]
    assert link.get("href") == f"#{form.get('id')}"
    ids = [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    assert "Week one" in form.get("data-done-message")


def test_the_carried_form_is_prefilled_with_the_earlier_draft():
    root = page(carried({"what_happened": "Half of it"}), carried_forms=True)
    (form,) = root.xpath(CARRIED_FORM)
    assert form.xpath('.//*[@name="what_happened"]')[0].text_content().strip() == "Half of it"
    assert form.xpath('.//*[@data-role="status"]')[0].get("data-status") == "draft"


def test_a_preview_draws_no_carried_form():
    root = page(carried(), carried_forms=True, preview=True)
    assert not root.xpath(CARRIED_FORM)
