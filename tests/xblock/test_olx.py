from lxml import etree
from xblock.fields import ScopeIds

from koula_xblock.block import KoulaXBlock
from tests.xblock.runtime import call


def export(block) -> etree._Element:
    node = etree.Element("unknown")
    block.add_xml_to_node(node)
    return node


def import_(course, node):
    runtime = course.block().runtime
    ids = ScopeIds("learner-9", "koula", "def-2", "usage-2")
    return KoulaXBlock.parse_xml(node, runtime, ids)


def test_export_then_import_keeps_every_authored_setting(course):
    custom = "format: 1\nid: mine\n# a comment & <tag>\n"
    block = course.block(
        display_name="Koula « été »",
        template_id="after-action-review",
        return_window_days=7,
        commitment_weight=2.5,
        custom_template=custom,
        language="fr",
    )
    copy = import_(course, etree.fromstring(etree.tostring(export(block))))
    for name in (
        "display_name",
        "template_id",
        "return_window_days",
        "commitment_weight",
        "custom_template",
        "language",
    ):
        assert getattr(copy, name) == getattr(block, name), name


def test_export_never_carries_learner_state(course):
    block = course.block()
    call(block, "save_draft", {"part": "deliverable", "values": {"practice_name": "secret"}})
    xml = etree.tostring(export(course.block())).decode()
    assert "secret" not in xml
    assert "learner_state" not in xml


def test_import_ignores_learner_state_planted_in_the_file(course):
    node = etree.fromstring(
        '<koula display_name="X" learner_state=\'{"deliverable": {"values": {"a": 1}}}\'/>'
    )
    block = import_(course, node)
    assert block.display_name == "X"
    assert block.learner_state == {}
