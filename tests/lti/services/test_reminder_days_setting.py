"""The days before the due date of a learner's first reminder, as staff set them in the picker
and a deep link carries them (lti/services/picker.py, settings_from_custom in
lti/services/activities.py)."""

from __future__ import annotations

import pytest

from lti.services.activities import settings_from_custom
from lti.services.picker import custom_parameters, read_choice


@pytest.mark.parametrize("typed", ["0", "5", "30"])
def test_the_pickers_reminder_days_go_on_the_deep_link_as_a_custom_parameter(typed):
    choice = read_choice({"reminder_days": typed}, language="en")
    assert choice.errors == {} and choice.reminder_days == int(typed)
    assert custom_parameters(choice)["koula_reminder_days"] == typed


def test_empty_reminder_days_put_no_parameter_on_the_link_and_keep_the_default():
    choice = read_choice({"reminder_days": " "}, language="en")
    assert choice.errors == {} and choice.reminder_days is None
    assert "koula_reminder_days" not in custom_parameters(choice)
    assert choice.settings().reminder_days_before() == 2


@pytest.mark.parametrize("typed", ["31", "-1", "2.5", "soon"])
def test_reminder_days_out_of_range_are_an_error_under_their_field_with_the_text_kept(typed):
    choice = read_choice({"reminder_days": typed}, language="fr")
    assert choice.errors["reminder_days"] == "Saisissez un nombre de jours de 0 à 30."
    assert choice.typed["reminder_days"] == typed and choice.reminder_days is None


def test_the_links_reminder_days_configure_the_activity():
    custom = {"koula_template": "default-koula", "koula_reminder_days": "5"}
    assert settings_from_custom(custom) == {"template_id": "default-koula", "reminder_days": 5}
    no_days = {"koula_template": "default-koula", "koula_reminder_days": "0"}
    assert settings_from_custom(no_days)["reminder_days"] == 0


@pytest.mark.parametrize("sent", ["31", "-1", "two", "2.5", "²", "9" * 5000])
def test_a_links_bad_reminder_days_are_ignored_and_the_activity_still_configured(sent):
    custom = {"koula_template": "default-koula", "koula_reminder_days": sent}
    assert settings_from_custom(custom) == {"template_id": "default-koula"}


def test_a_links_return_window_not_in_ascii_digits_is_ignored_rather_than_failing():
    custom = {"koula_template": "default-koula", "koula_return_window_days": "²"}
    assert settings_from_custom(custom) == {"template_id": "default-koula"}
