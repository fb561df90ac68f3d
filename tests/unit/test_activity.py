"""An activity's settings: the reminder days an admin may choose (issue 11, point 4), and an
admin's own template, parsed once per text (issue 14)."""

from __future__ import annotations

import pytest

from koula.activity import DEFAULT_REMINDER_DAYS, ActivitySettings, check_settings


def test_the_first_reminder_goes_two_days_before_unless_the_activity_says_otherwise():
    assert DEFAULT_REMINDER_DAYS == 2
    assert ActivitySettings().reminder_days_before() == 2
    assert ActivitySettings(reminder_days=0).reminder_days_before() == 0
    assert ActivitySettings(reminder_days=7).reminder_days_before() == 7


@pytest.mark.parametrize("days", [0, 1, 30])
def test_reminder_days_from_0_to_30_are_accepted(days):
    assert check_settings(ActivitySettings(reminder_days=days), language="en") == {}


@pytest.mark.parametrize("days", [-1, 31])
def test_reminder_days_outside_0_to_30_are_refused_in_the_admins_language(days):
    errors = check_settings(ActivitySettings(reminder_days=days), language="fr")
    assert errors == {"reminder_days": "Saisissez un nombre de jours de 0 à 30."}


def test_an_admins_own_template_is_parsed_once_and_the_same_each_time():
    from koula.activity import activity_template
    from koula.library import template_source

    text = template_source("default-koula").replace("default-koula", "our-koula", 1)
    first = activity_template(ActivitySettings(custom_template=text))
    again = activity_template(ActivitySettings(custom_template=text))
    assert first.id == "our-koula"
    assert first == again and first.deliverable is again.deliverable  # parsed once


def test_an_edited_template_text_is_parsed_anew():
    from koula.activity import activity_template
    from koula.library import template_source

    text = template_source("default-koula").replace("default-koula", "our-koula", 1)
    edited = text.replace("our-koula", "their-koula", 1)
    assert activity_template(ActivitySettings(custom_template=edited)).id == "their-koula"


def test_a_template_text_that_does_not_parse_is_refused_each_time():
    from koula.activity import activity_template
    from koula.errors import KoulaError

    for _ in range(2):
        with pytest.raises(KoulaError):
            activity_template(ActivitySettings(custom_template="id: [unclosed"))


def test_the_same_settings_give_the_very_same_template_and_other_weights_another():
    from koula.activity import activity_template

    library = ActivitySettings(template_id="default-koula", deliverable_weight=0.5)
    assert activity_template(library) is activity_template(ActivitySettings(**vars(library)))
    other = activity_template(ActivitySettings(template_id="default-koula", deliverable_weight=0.7))
    assert other is not activity_template(library) and other.scoring.deliverable == 0.7


def test_settings_of_the_wrong_kind_give_what_they_always_gave_not_a_crash():
    from koula.activity import activity_template
    from koula.errors import UnknownTemplate

    with pytest.raises(UnknownTemplate):
        activity_template(ActivitySettings(template_id=["default-koula"]))  # type: ignore[arg-type]
    odd_window = ActivitySettings(return_window_days=[7])  # type: ignore[arg-type]
    assert activity_template(odd_window).id == "default-koula"
