"""Titles and gradebook comments in the language of the person they are made for
(lti/services/picker.py, lti/views/staff.py, lti/services/scores.py): a default title made at
deep linking in the instructor's, the staff page in its reader's, a gradebook comment in the
launch language of the learner who acted."""

from __future__ import annotations

import html
import re

import jwt
import pytest
from django.test import Client

from koula import get_template
from koula_demo.learner_calls import CARD
from lti.models import ScoreOutbox
from lti.services.learner import run_action
from lti.views.staff import staff_view
from tests.lti.in_process import grant_for, make_activity, make_user
from tests.lti.views.forms import deep_link_token

pytestmark = pytest.mark.django_db
ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
TITLE = get_template("default-koula").title


def deep_linked_title(registration, language: str) -> str:
    token = deep_link_token(registration.pk, language)
    page = html.unescape(Client().post("/lti/deep-link", {"token": token}).content.decode())
    signed = re.search(r'name="JWT" value="([^"]+)"', page).group(1)
    return jwt.decode(signed, options={"verify_signature": False})[ITEMS][0]["title"]


def test_a_default_title_made_at_deep_linking_is_in_the_instructors_language(tool_keys):
    registration = make_activity().deployment.registration
    assert deep_linked_title(registration, "fr") == TITLE.get("fr")
    assert deep_linked_title(registration, "en") == TITLE.get("en")


def test_the_staff_page_of_an_untitled_activity_is_titled_in_its_readers_language(tool_keys):
    activity = make_activity()
    activity.title = ""  # the platform gave none
    activity.save()
    page = html.unescape(staff_view(activity, "fr", viewer=None).content.decode())
    assert f"<title>{TITLE.get('fr')}</title>" in page
    assert "Koula activity" not in page


def test_the_gradebook_comment_is_in_the_language_of_the_learner_who_acted(tool_keys):
    activity = make_activity()
    ana, ben = make_user(activity, "ana"), make_user(activity, "ben")
    run_action(grant_for(activity, ana, "fr"), activity.pk, "submit_deliverable", {"values": CARD})
    run_action(grant_for(activity, ben, "en"), activity.pk, "submit_deliverable", {"values": CARD})
    comments = {row.user.sub: row.payload["comment"] for row in ScoreOutbox.objects.all()}
    assert comments["ana"].startswith("En cours")
    assert comments["ben"].startswith("In progress")
