"""Staff choose the reminder days in the picker, at first launch and in deep linking
(lti/views/picker.py), and see them in the staff view's settings (lti/views/staff_words.py)."""

from __future__ import annotations

import html
import re

import jwt
import pytest
from django.test import Client

from lti.services.series import session_of
from lti.views.staff import staff_view
from tests.lti.in_process import make_activity
from tests.lti.views.forms import deep_link_token, form_token

pytestmark = pytest.mark.django_db

LABEL = "Reminder e-mail, days before the due date"


def text_of(answer) -> str:
    return html.unescape(answer.content.decode())


def configure(activity, language: str = "en", **fields: str):
    token = form_token(activity.pk, "configure", language)
    return Client().post("/lti/configure", {"token": token, "do": "save", **fields})


def settings_row(page: str, label: str) -> str:
    return re.sub(r"\s+", " ", re.search(rf"{label}.*?</tr>", page, re.S).group(0))


def test_the_picker_asks_for_the_reminder_days_with_the_default_in_its_hint(tool_keys):
    page = text_of(configure(make_activity(template=None), do="preview"))
    assert LABEL in page and "(empty: 2; 0: only on the due date)" in page
    assert 'name="reminder_days"' in page


def test_staff_set_the_reminder_days_at_first_launch_and_the_series_uses_them(tool_keys):
    activity = make_activity(template=None, context_id="course-1")
    assert configure(activity, reminder_days="7").status_code == 200
    activity.refresh_from_db()
    assert activity.configured and activity.settings["reminder_days"] == 7
    assert session_of(activity).reminder_days == 7


def test_reminder_days_out_of_range_show_the_picker_again_with_the_typed_value(tool_keys):
    activity = make_activity(template=None)
    page = text_of(configure(activity, "fr", reminder_days="45"))
    field = page[page.index('name="reminder_days"') :]
    assert 'value="45"' in field[: field.index(">")]
    error = field[field.index('id="picker-reminder_days-error"') :]
    assert error.split("</p>")[0].endswith("Saisissez un nombre de jours de 0 à 30.")
    assert "Rappel par e-mail, jours avant l’échéance" in page
    activity.refresh_from_db()
    assert not activity.configured


def test_the_deep_link_carries_the_reminder_days_as_a_custom_parameter(tool_keys):
    registration = make_activity().deployment.registration
    token = deep_link_token(registration.pk)
    page = text_of(Client().post("/lti/deep-link", {"token": token, "reminder_days": "0"}))
    signed = re.search(r'name="JWT" value="([^"]+)"', page).group(1)
    claims = jwt.decode(signed, options={"verify_signature": False})
    item = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"][0]
    assert item["custom"]["koula_reminder_days"] == "0"


def test_the_staff_view_shows_the_reminder_days_set_or_the_default(tool_keys):
    activity = make_activity()
    page = text_of(staff_view(activity, "en", viewer=None))
    assert re.search(r"<td>\s*2\s*</td>", settings_row(page, LABEL))
    activity.settings = {"template_id": "default-koula", "reminder_days": 0}
    activity.save()
    page = text_of(staff_view(activity, "en", viewer=None))
    assert re.search(r"<td>\s*0\s*</td>", settings_row(page, LABEL))
