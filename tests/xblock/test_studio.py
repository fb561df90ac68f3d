import pytest
from xblock.fields import Scope

from koula_xblock.block import KoulaXBlock
from tests.xblock.runtime import Course, call


def test_the_edit_dialog_lists_every_setting_with_its_current_value(course):
    html = course.block(return_window_days=10).studio_view().content
    for name in (
        "display_name",
        "template_id",
        "custom_template",
        "weight",
        "return_window_days",
        "deliverable_weight",
        "language",
    ):
        assert f'name="{name}"' in html
    assert 'value="10"' in html


def test_valid_settings_are_saved(course):
    block = course.block(staff=True)
    status, body = call(
        block,
        "studio_submit",
        {
            "display_name": "Our Koula",
            "template_id": "after-action-review",
            "return_window_days": "21",
            "deliverable_weight": "",
            "language": "fr",
        },
    )
    assert (status, body) == (200, {"result": "success"})
    assert (block.display_name, block.template_id, block.return_window_days) == (
        "Our Koula",
        "after-action-review",
        21,
    )
    assert block.deliverable_weight is None
    assert block.template().experiment.return_window_days == 21


def test_an_invalid_custom_template_is_refused_with_every_located_problem(course):
    block = course.block(staff=True)
    status, body = call(
        block,
        "studio_submit",
        {
            "display_name": "Mine",
            "custom_template": "format: 1\nid: mine\nlanguages: [en]\n",
        },
    )
    assert status == 400
    message = body["errors"]["custom_template"]
    assert "title: is required" in message
    assert "phases: is required" in message
    assert block.display_name == "Koula"


def test_bad_numbers_are_refused_in_place_and_nothing_is_saved(course):
    block = course.block(staff=True)
    status, body = call(
        block,
        "studio_submit",
        {
            "display_name": "",
            "return_window_days": "0",
            "weight": "heavy",
            "template_id": "nope",
        },
    )
    assert status == 400
    assert set(body["errors"]) == {"display_name", "weight", "return_window_days", "template_id"}
    assert (block.display_name, block.return_window_days) == ("Koula", None)


def test_a_valid_custom_template_replaces_the_library_one(course):
    from pathlib import Path

    text = (Path(__file__).parents[1] / "data" / "templates" / "minimal.yaml").read_text()
    block = course.block(staff=True)
    status, _ = call(block, "studio_submit", {"custom_template": text})
    assert status == 200
    assert block.template().id == "minimal"


AUTHOR_HANDLERS = ("studio_submit",)
"""The handlers that change what course staff authored (settings and content fields)."""
LEARNER_HANDLERS = {
    "save_draft",
    "submit_deliverable",
    "commit_experiment",
    "submit_return",
    "volunteer_host",
    "share_card",
    "reuse_card",
    "shared_cards",
    "experiment_calendar",
    "my_data",  # the learner's own answers only (tests/xblock/test_my_data.py)
    "privacy_notice",
}
STAFF_HANDLERS = {
    "assign_host",
    "staff_report",
    "staff_records",
    "export_csv",
    "series_report",
    "series_csv",
}
NEW_SETTINGS = {
    "display_name": "Taken over",
    "template_id": "after-action-review",
    "return_window_days": "30",
    "weight": "0",
    "language": "fr",
}


def authored(block) -> dict:
    """Every content and settings field of ``block``, as stored."""
    return {
        name: getattr(block, name)
        for name, field in block.fields.items()
        if field.scope in (Scope.content, Scope.settings)
    }


def test_every_handler_is_known_as_a_learner_staff_or_author_one():
    handlers = {
        name
        for name in dir(KoulaXBlock)
        if getattr(getattr(KoulaXBlock, name, None), "_is_xblock_handler", False)
    }
    assert handlers == LEARNER_HANDLERS | STAFF_HANDLERS | set(AUTHOR_HANDLERS)


@pytest.mark.parametrize("handler", AUTHOR_HANDLERS)
def test_a_learner_calling_an_author_handler_gets_403_and_changes_nothing(course, handler):
    before = authored(course.block("learner-1"))
    status, body = call(course.block("learner-1"), handler, NEW_SETTINGS)
    assert status == 403
    assert "Only course staff" in body["errors"]["_"]
    assert authored(course.block("learner-1")) == before
    assert authored(course.block("teacher", staff=True)) == before


@pytest.mark.parametrize("handler", AUTHOR_HANDLERS)
def test_the_refusal_is_in_the_learners_language(course, handler):
    course.block("teacher", staff=True, language="fr")
    status, body = call(course.block("learner-1"), handler, NEW_SETTINGS)
    assert status == 403 and "Seule l'équipe pédagogique" in body["errors"]["_"]


@pytest.mark.parametrize("handler", AUTHOR_HANDLERS)
def test_course_staff_still_change_the_settings(course, handler):
    status, _body = call(course.block("teacher", staff=True), handler, NEW_SETTINGS)
    assert status == 200
    assert course.block("learner-1").display_name == "Taken over"


def test_a_course_author_in_studio_changes_the_settings_and_anyone_else_there_cannot():
    course = Course(studio=True)
    before = authored(course.block("visitor"))
    assert call(course.block("visitor"), "studio_submit", NEW_SETTINGS)[0] == 403
    assert authored(course.block("visitor")) == before
    assert call(course.block("author", author=True), "studio_submit", NEW_SETTINGS)[0] == 200
    assert course.block("visitor").display_name == "Taken over"


def test_the_session_date_is_edited_as_a_date_with_its_help(course):
    html = course.block(session_date="2026-03-02").studio_view().content
    assert 'name="session_date"' in html and 'type="date"' in html
    assert 'value="2026-03-02"' in html
    french = course.block(language="fr").studio_view().content
    assert "Date de la séance" in french and "AAAA-MM-JJ" in french


@pytest.mark.parametrize("given", ["15/03/2026", "2026-02-30", "tomorrow", "2026-3-5"])
def test_a_session_date_that_is_not_a_yyyy_mm_dd_day_is_refused_and_nothing_saved(course, given):
    block = course.block(staff=True)
    status, body = call(block, "studio_submit", {"display_name": "Mine", "session_date": given})
    assert status == 400 and "YYYY-MM-DD" in body["errors"]["session_date"]
    assert (block.display_name, block.session_date) == ("Koula", "")


def test_a_session_date_is_saved_and_emptied(course):
    block = course.block(staff=True)
    assert call(block, "studio_submit", {"session_date": " 2026-03-02 "})[0] == 200
    assert block.session_date == "2026-03-02"
    assert block.session_day().isoformat() == "2026-03-02"
    assert call(block, "studio_submit", {"session_date": ""})[0] == 200
    assert block.session_day() is None


def test_a_session_date_imported_in_a_bad_form_counts_as_none(course):
    assert course.block(session_date="next week").session_day() is None
