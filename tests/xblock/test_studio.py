from tests.xblock.runtime import call


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
    block = course.block()
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
    block = course.block()
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
    block = course.block()
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
    block = course.block()
    status, _ = call(block, "studio_submit", {"custom_template": text})
    assert status == 200
    assert block.template().id == "minimal"
