import pytest

from koula.errors import UnknownTemplate
from koula.library import DEFAULT_TEMPLATE_ID, get_template, library_templates, template_source
from koula.template import Part
from koula.template_data import template_to_data
from koula.template_format import parse_template, parse_template_text

TEMPLATES = library_templates()
REPORT_INDICATORS = {
    Part.COMMITMENT: {"action", "success_signal", "confidence", "relevance", "can_do_now"},
    Part.RETURN: {
        "applied",
        "what_happened",
        "blockers",
        "confidence",
        "value_story",
        "value_cycle",
        "learning",
        "evidence",
    },
}


def test_the_library_has_at_least_three_templates_with_the_default_first():
    assert len(TEMPLATES) >= 3
    assert TEMPLATES[0].id == DEFAULT_TEMPLATE_ID
    assert {"troika-action-learning", "after-action-review"} <= {t.id for t in TEMPLATES}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_each_library_template_is_written_in_french_and_english(template):
    assert set(template.languages) >= {"en", "fr"}
    assert template.title.get("fr") != template.title.get("en")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_each_library_template_fits_a_session_of_an_hour_to_two(template):
    assert 60 <= template.total_minutes() <= 120
    assert any(role.key == "host" and role.rotates for role in template.roles)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_each_library_template_feeds_the_impact_report(template):
    for part, wanted in REPORT_INDICATORS.items():
        indicators = {f.indicator for f in template.fields_of(part)}
        assert wanted <= indicators, part


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.id)
def test_a_template_written_back_as_data_reads_the_same(template):
    assert parse_template(template_to_data(template)) == template


def test_the_source_of_a_library_template_is_a_starting_point_for_an_admin():
    assert parse_template_text(template_source("after-action-review")).id == "after-action-review"


def test_an_unknown_template_says_how_to_list_them():
    with pytest.raises(UnknownTemplate, match="koula templates list"):
        get_template("nope")
