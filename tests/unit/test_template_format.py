import json
from pathlib import Path

import pytest
import yaml

from koula.errors import TemplateError
from koula.template import FieldType, Mode, Part
from koula.template_format import load_template_file, parse_template, parse_template_text

DATA = Path(__file__).parent.parent / "data" / "templates"


def problems_of(text: str, language: str = "en") -> dict[str, str]:
    with pytest.raises(TemplateError) as caught:
        parse_template_text(text, language=language)
    return dict(caught.value.problems)


def minimal_data() -> dict:
    return yaml.safe_load((DATA / "minimal.yaml").read_text())


def test_a_valid_yaml_template_is_read_with_all_its_parts(minimal_template):
    assert minimal_template.id == "minimal"
    assert minimal_template.languages == ("en", "fr")
    assert [p.mode for p in minimal_template.phases] == [Mode.TRIOS, Mode.PLENARY]
    assert minimal_template.total_minutes() == 40
    assert minimal_template.parts() == (Part.DELIVERABLE, Part.COMMITMENT, Part.RETURN)
    assert minimal_template.fields_of(Part.RETURN)[0].type is FieldType.CHOICE
    assert minimal_template.experiment.return_window_days == 14
    assert minimal_template.scoring.weight(Part.RETURN) == 40


def test_the_same_template_in_json_gives_the_same_result(minimal_template):
    assert parse_template_text(json.dumps(minimal_data())) == minimal_template


def test_every_problem_of_a_broken_file_is_reported_with_its_location():
    with pytest.raises(TemplateError) as caught:
        load_template_file(DATA / "broken.yaml")
    where = [location for location, _ in caught.value.problems]
    assert set(where) == {
        "colour",
        "id",
        "title",
        "phases[1].key",
        "phases[2].minutes",
        "phases[2].mode",
        "deliverable.fields[0].type",
        "deliverable.fields[1].choices",
        "experiment.return_window_days",
        "experiment.commitment[0].required",
        "experiment.return",
    }


def test_a_bad_number_of_minutes_says_what_is_expected():
    data = minimal_data()
    data["phases"][1]["minutes"] = 2.5
    with pytest.raises(TemplateError) as caught:
        parse_template(data)
    assert caught.value.problems == [
        ("phases[1].minutes", "must be a whole number of minutes above 0")
    ]


def test_a_missing_translation_is_located():
    data = minimal_data()
    del data["phases"][0]["prompt"]["fr"]
    with pytest.raises(TemplateError) as caught:
        parse_template(data)
    assert caught.value.problems == [("phases[0].prompt", "has no text in fr")]


def test_a_plain_string_counts_for_every_language():
    data = minimal_data()
    data["title"] = "Koula"
    assert parse_template(data).title.get("fr") == "Koula"


def test_the_format_version_is_required():
    data = minimal_data()
    data["format"] = 2
    with pytest.raises(TemplateError) as caught:
        parse_template(data)
    assert caught.value.problems[0][0] == "format"


def test_a_template_without_experiment_has_only_the_practice_card(minimal_template):
    data = minimal_data()
    del data["experiment"]
    assert parse_template(data).parts() == (Part.DELIVERABLE,)


def test_scoring_weights_cannot_all_be_zero():
    data = minimal_data()
    data["scoring"] = {"deliverable": 0, "commitment": 0, "return": 0}
    assert problems_of(yaml.safe_dump(data)) == {
        "scoring": "at least one part must have a weight above 0"
    }


def test_duplicate_choice_values_are_reported():
    data = minimal_data()
    choices = data["experiment"]["return"][0]["choices"]
    choices[1]["value"] = "yes"
    assert "experiment.return[0].choices[1].key" in problems_of(yaml.safe_dump(data))


def test_invalid_yaml_reports_the_line():
    problems = problems_of("format: 1\nid: [unclosed\n")
    (where,) = problems
    assert where.startswith("line ")


def test_a_document_that_is_not_a_mapping_is_refused():
    assert problems_of("- just\n- a list\n")[""] == "must be a mapping of names to values"


def test_problems_are_explained_in_french_for_a_french_admin():
    data = minimal_data()
    data["phases"][1]["minutes"] = 0
    problems = problems_of(yaml.safe_dump(data), language="fr")
    assert problems["phases[1].minutes"] == "doit être un nombre entier de minutes supérieur à 0"


def test_a_huge_text_is_refused_before_parsing():
    assert list(problems_of("x" * 300_000)) == [""]


def test_a_regional_language_code_matches_its_texts():
    data = minimal_data()
    data["languages"] = ["en", "fr_CA"]
    text = yaml.safe_dump(data).replace("fr:", "fr-CA:")
    assert parse_template_text(text).languages == ("en", "fr-ca")


def test_a_blank_translation_counts_as_missing():
    data = minimal_data()
    data["title"]["fr"] = "   "
    assert problems_of(yaml.safe_dump(data)) == {"title": "has no text in fr"}


def test_a_blank_required_text_is_refused():
    data = minimal_data()
    data["title"] = " "
    assert problems_of(yaml.safe_dump(data)) == {"title": "is required and cannot be blank"}


def test_a_yaml_flow_mapping_is_read_as_yaml():
    data = minimal_data()
    flow = yaml.safe_dump(data, default_flow_style=True)
    assert flow.startswith("{")
    assert parse_template_text(flow).id == "minimal"


def test_a_misspelt_indicator_is_refused():
    data = minimal_data()
    data["experiment"]["return"][0]["indicator"] = "aplied"
    assert "experiment.return[0].indicator" in problems_of(yaml.safe_dump(data))


def test_limits_on_fields_that_cannot_have_them_are_refused():
    data = minimal_data()
    data["experiment"]["commitment"][2]["max_length"] = 3
    data["deliverable"]["fields"][0]["max_items"] = 3
    assert set(problems_of(yaml.safe_dump(data))) == {
        "experiment.commitment[2].max_length",
        "deliverable.fields[0].max_items",
    }


def test_text_in_an_undeclared_language_is_reported():
    data = minimal_data()
    data["title"]["de"] = "Minimale Sitzung"
    assert "title" in problems_of(yaml.safe_dump(data))


def test_a_language_listed_twice_is_reported():
    data = minimal_data()
    data["languages"] = ["en", "fr", "en"]
    assert problems_of(yaml.safe_dump(data)) == {"languages": "lists a language twice"}


def test_an_indicator_needs_the_field_type_the_report_reads():
    data = minimal_data()
    data["experiment"]["commitment"][2]["type"] = "short_text"
    assert problems_of(yaml.safe_dump(data)) == {
        "experiment.commitment[2].type": "must be rating for the indicator confidence"
    }


def test_the_applied_indicator_only_knows_yes_partly_and_no():
    data = minimal_data()
    data["experiment"]["return"][0]["choices"][1]["value"] = "somewhat"
    assert list(problems_of(yaml.safe_dump(data))) == ["experiment.return[0].choices"]
