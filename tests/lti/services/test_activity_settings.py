"""A link's custom parameters read as the activity's settings (settings_from_custom in
lti/services/activities.py), read once for the values a course's links send every launch."""

from __future__ import annotations

from lti.services.activities import _settings_from, settings_from_custom

LINK = {"koula_template": "default-koula", "koula_weights": "0.5,0.3,0.2"}


def test_the_same_parameters_read_again_give_the_same_settings_each_as_its_own_copy():
    first = settings_from_custom(LINK)
    first["template_id"] = "changed by its caller"
    again = settings_from_custom(dict(LINK))
    assert again == {
        "template_id": "default-koula",
        "deliverable_weight": 0.5,
        "commitment_weight": 0.3,
        "return_weight": 0.2,
    }
    assert again is not first


def test_parameters_read_once_are_not_read_again():
    _settings_from.cache_clear()
    for _ in range(3):
        settings_from_custom({**LINK, "koula_return_window_days": "21"})
    assert _settings_from.cache_info().hits == 2


def test_a_parameter_missing_or_empty_reads_the_same():
    assert settings_from_custom({"koula_template": "default-koula"}) == settings_from_custom(
        {"koula_template": "default-koula", "koula_weights": "", "koula_xapi_text": ""}
    )


def test_values_equal_in_python_but_not_as_text_are_read_apart():
    # 1 == True, but only "1" asks for the return's text in xAPI
    assert settings_from_custom({**LINK, "koula_xapi_text": 1})["xapi_text"] is True
    assert "xapi_text" not in settings_from_custom({**LINK, "koula_xapi_text": True})


def test_a_value_that_is_no_cache_key_is_read_all_the_same():
    custom = {**LINK, "koula_return_window_days": ["21"], "koula_xapi_text": {"on": 1}}
    assert settings_from_custom(custom) == settings_from_custom(LINK)
    assert settings_from_custom({**LINK, "koula_weights": [1, 2, 3]}) == {
        "template_id": "default-koula"
    }


def test_a_long_value_is_read_but_not_kept():
    _settings_from.cache_clear()
    long_weights = "0.5,0.3,0.2" + " " * 300
    assert settings_from_custom({**LINK, "koula_weights": long_weights})["return_weight"] == 0.2
    assert _settings_from.cache_info().currsize == 0
