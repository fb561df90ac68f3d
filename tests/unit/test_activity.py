"""An activity's settings: the reminder days an admin may choose (issue 11, point 4)."""

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
