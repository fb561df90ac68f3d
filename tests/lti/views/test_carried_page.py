"""The loop across sessions on a learner's page, in process: the carried experiment's return
form (lti/views/pages.py), its return over the learner API with "session" (lti/views/api.py),
and "Add to my calendar" by a signed link (lti/views/calendar.py)."""

# The fixtures of tests/lti/series_loop.py are imported by name, so tests take them again:
# ruff: noqa: F811
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from lxml import html as lxml_html

from koula_demo.learner_calls import RETURN
from lti.bearer import issue_token, sign_data
from lti.claims import CLAIM, LaunchData
from lti.errors import NotAllowed
from lti.models import LearnerRecord, ScoreOutbox
from lti.services.experiment_calendar import calendar_token, experiment_calendar
from lti.services.learner import run_action
from lti.services.series import ActivitySeries
from lti.views.pages import activity_page
from tests.lti.in_process import grant_for
from tests.lti.series_loop import ana, committed, first, other_tenants_activity, second  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def launched_page(activity, user, language: str = "en") -> str:
    claims = {
        "sub": user.sub,
        "name": user.name,
        CLAIM["resource_link"]: {"id": activity.resource_link_id},
        CLAIM["context"]: {"id": activity.context_id},
        CLAIM["launch_presentation"]: {"locale": language},
    }
    registration = activity.deployment.registration_id
    data = LaunchData(registration, activity.deployment_id, claims)
    return activity_page(data, language).content.decode()


def post(activity, user, action: str, body: dict):
    return Client().post(
        f"/lti/api/{activity.pk}/{action}",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issue_token(grant_for(activity, user))}",
    )


def calendar_link(page: str) -> str:
    match = re.search(
        r'<a href="https://koula\.example\.test(/lti/calendar/[^"]+)" download>', page
    )
    assert match, page
    return match.group(1)


def test_the_later_page_shows_the_earlier_sessions_return_form_first(first, second, ana):
    committed(first, ana)
    page = launched_page(second, ana)
    carried = page.index('data-role="carried"')
    form = re.search(r'<form class="koula-form koula-carried-form"[^>]*>', page)
    assert form and f'data-session="{first.pk}"' in form.group(0)
    assert carried < form.start() < page.index('data-part="deliverable"')
    assert "Your experiment from Pair review" in page
    for key in ("applied", "what_happened", "confidence"):
        assert f'name="{key}"' in page[form.start() : page.index("</form>", form.start())]


def test_the_carried_form_is_named_apart_from_the_sessions_own_return_form(first, second, ana):
    committed(first, ana)
    root = lxml_html.fromstring(launched_page(second, ana))
    (carried,) = root.xpath('//form[contains(@class, "koula-carried-form")]')
    (own,) = root.xpath('//form[@data-part="return" and not(@data-session)]')

    def name(form: Any) -> str:
        parts = [root.get_element_by_id(ref) for ref in form.get("aria-labelledby").split()]
        return " ".join(part.text_content().strip() for part in parts)

    assert name(carried).endswith("Pair review") and name(carried) != name(own)


def test_the_carried_form_holds_the_draft_typed_before(first, second, ana):
    committed(first, ana)
    run_action(
        grant_for(first, ana),
        first.pk,
        "save_draft",
        {"part": "return", "values": {"what_happened": "Half of it, so far"}},
    )
    page = launched_page(second, ana)
    form = page[
        page.index("koula-carried-form") : page.index("</form>", page.index("koula-carried-form"))
    ]
    assert "Half of it, so far</textarea>" in form
    assert "Draft saved, not yet submitted." in form


def test_no_carried_section_without_an_open_experiment(first, second, ana):
    assert 'data-role="carried"' not in launched_page(second, ana)
    assert 'data-role="carried"' not in launched_page(first, ana)


def test_the_page_still_opens_when_the_series_cannot_be_read(first, second, ana, monkeypatch):
    committed(first, ana)

    def broken(self, activity, **kw):  # a fault we cannot cause: the series' read fails
        raise RuntimeError("series unreadable")

    monkeypatch.setattr(ActivitySeries, "__init__", broken)
    page = launched_page(second, ana)
    assert 'data-part="deliverable"' in page
    assert 'data-role="carried"' not in page


def test_the_return_with_session_over_http_completes_the_earlier_activity(first, second, ana):
    committed(first, ana)
    answer = post(second, ana, "submit_return", {"values": RETURN, "session": str(first.pk)})
    assert answer.status_code == 200, answer.content
    assert answer.json()["session"] == str(first.pk)
    assert answer.json()["progress"]["activity"] == "Completed"
    last = ScoreOutbox.objects.filter(activity=first, user=ana).order_by("pk").last()
    assert last.payload["activityProgress"] == "Completed"


@pytest.mark.parametrize("session", [7, None, True, ["x"]])
def test_a_session_that_is_not_text_answers_400(first, second, ana, session):
    committed(first, ana)
    answer = post(second, ana, "submit_return", {"values": RETURN, "session": session})
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["session"]


def test_a_later_or_unknown_session_answers_400_and_nothing_open_409(first, second, ana):
    answer = post(second, ana, "submit_return", {"values": RETURN, "session": str(first.pk)})
    assert answer.status_code == 409
    assert "_" in answer.json()["errors"]
    committed(second, ana)
    answer = post(first, ana, "submit_return", {"values": RETURN, "session": str(second.pk)})
    assert answer.status_code == 400
    assert "session" in answer.json()["errors"]
    answer = post(second, ana, "submit_return", {"values": RETURN, "session": "999999"})
    assert answer.status_code == 400


def test_a_refused_return_over_http_keeps_the_typed_text_as_the_earlier_draft(first, second, ana):
    committed(first, ana)
    typed = {"what_happened": "Typed before the error"}
    answer = post(second, ana, "submit_return", {"values": typed, "session": str(first.pk)})
    assert answer.status_code == 400
    assert "applied" in answer.json()["errors"]
    stored = LearnerRecord.objects.get(activity=first, user=ana).state
    assert "Typed before the error" in json.dumps(stored)


def test_the_calendar_link_gives_the_learners_experiment_as_an_ics(first, ana):
    committed(first, ana)
    link = calendar_link(launched_page(first, ana))
    answer = Client().get(link)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/calendar; charset=utf-8"
    assert answer["Content-Disposition"] == 'attachment; filename="koula-experiment.ics"'
    text = answer.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    due = LearnerRecord.objects.get(activity=first, user=ana).state["commitment"]["due_on"]
    assert f"DTSTART;VALUE=DATE:{due.replace('-', '')}" in text
    assert "BEGIN:VALARM" in text


def test_the_calendar_is_in_the_learners_language(first, ana):
    committed(first, ana)
    text = Client().get(calendar_link(launched_page(first, ana, "fr"))).content.decode()
    assert "SUMMARY;LANGUAGE=fr:" in text


def test_the_calendar_before_a_commitment_answers_409(first, ana):
    answer = Client().get(calendar_link(launched_page(first, ana)))
    assert answer.status_code == 409
    assert "commit to one first" in answer.content.decode()


def test_a_forged_calendar_link_is_refused(first, ana):
    committed(first, ana)
    link = calendar_link(launched_page(first, ana))
    assert Client().get(link[:-3] + "abc").status_code == 403
    assert Client().get("/lti/calendar/anything").status_code == 403


def test_a_calendar_link_of_another_deployment_opens_nothing(first, ana):
    committed(first, ana)
    token = calendar_token(first, ana, "en")
    moved = sign_data([first.pk, first.deployment_id + 1, ana.pk, "en"], "calendar")
    assert Client().get(f"/lti/calendar/{token}").status_code == 200
    assert Client().get(f"/lti/calendar/{moved}").status_code == 403


def test_the_calendar_link_expires_two_weeks_after_the_due_date(first, ana):
    committed(first, ana)
    due = dt.date.fromisoformat(
        LearnerRecord.objects.get(activity=first, user=ana).state["commitment"]["due_on"]
    )
    token = calendar_token(first, ana, "en")
    on_the_last_day = dt.datetime.combine(due + dt.timedelta(days=14), dt.time(12), dt.UTC)
    assert experiment_calendar(token, now=on_the_last_day)[0].startswith("BEGIN:VCALENDAR")
    with pytest.raises(NotAllowed):
        experiment_calendar(token, now=on_the_last_day + dt.timedelta(days=1))
