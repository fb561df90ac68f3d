import json
import re

import pytest
from xblock.exceptions import DisallowedFileError

from koula_xblock.block import KoulaXBlock
from tests.xblock.runtime import call


def test_the_learner_sees_the_agenda_and_the_three_forms(course):
    frag = course.block().student_view()
    for part in ("deliverable", "commitment", "return"):
        assert f'data-part="{part}"' in frag.content
    assert frag.js_init_fn == "KoulaXBlock"
    urls = [resource.data for resource in frag.resources if resource.kind == "url"]
    assert urls == ["/resource/koula/public/koula.css", "/resource/koula/public/koula.js"]


def test_the_page_is_in_french_when_the_activity_is(course):
    frag = course.block(language="fr").student_view()
    assert 'lang="fr"' in frag.content
    assert "Fiche pratique" in frag.content


def test_the_page_carries_the_learner_state_for_the_script(course):
    block = course.block()
    call(block, "save_draft", {"part": "deliverable", "values": {"practice_name": "Draft <b>"}})
    html = course.block().student_view().content
    context = re.search(
        r'<script type="application/json" class="koula-context"[^>]*>(.*?)</script>', html, re.S
    )
    data = json.loads(context.group(1))
    assert data["state"]["deliverable"]["values"] == {"practice_name": "Draft <b>"}
    assert "Draft <b>" not in html.replace(context.group(0), "")


def test_the_author_preview_disables_the_forms(course):
    frag = course.block().author_view()
    assert frag.js_init_fn is None
    assert "disabled" in frag.content


def test_a_broken_template_shows_a_clear_message_instead_of_the_forms(course):
    frag = course.block(custom_template="format: 1\nid: [oops").student_view()
    assert 'role="alert"' in frag.content
    assert "This activity is not set up yet. Please tell the course team." in frag.content
    assert "custom_template" in frag.content  # what is wrong, for the course team


def test_mobile_apps_get_the_template_and_the_state(course):
    data = course.block().student_view_data()
    assert data["template"]["id"] == "default-koula"
    assert data["state"]["progress"]["activity"] == "Initialized"


def test_the_learner_view_supports_the_mobile_apps_as_the_runtime_asks(course):
    block = course.block()
    assert block.has_support(getattr(block, "student_view", None), "multi_device")
    assert not block.has_support(getattr(block, "author_view", None), "multi_device")


def test_the_shared_script_and_stylesheet_are_served_from_the_package():
    script = KoulaXBlock.open_local_resource("public/koula.js").read()
    assert b"KoulaXBlock" in script
    assert KoulaXBlock.open_local_resource("public/studio.js").read().startswith(b"/*")


@pytest.mark.parametrize("uri", ["../block.py", "public/../block.py", "/etc/passwd", "koula.js"])
def test_no_other_file_is_served(uri):
    with pytest.raises(DisallowedFileError):
        KoulaXBlock.open_local_resource(uri)


def test_every_library_template_has_a_workbench_scenario_in_each_language():
    from koula.library import library_templates

    scenarios = KoulaXBlock.workbench_scenarios()
    assert len(scenarios) == 2 * len(library_templates()) + 1  # and the series, last
    assert any('language="fr"' in olx for _, olx in scenarios)
    assert scenarios[-1][1].count("<koula ") == 2
