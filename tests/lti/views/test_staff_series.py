"""The course's series in the staff view (lti/views/series_report.py, lti/views/staff.py):
the sessions in order, the session date form, the reminders' reach, the nudge button, and
the host's check-in on the run-sheet."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.test import Client

from koula_demo.learner_calls import COMMITMENT
from lti.bearer import sign_data
from lti.models import LearnerRecord, LtiUser
from lti.views.host_tools import host_tools
from lti.views.staff import staff_view
from tests.lti.in_process import committed as commit_in
from tests.lti.in_process import make_activity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(tool_keys):
    return make_activity(resource_link_id="s1", context_id="course-1")


@pytest.fixture
def second(first):
    return make_activity(resource_link_id="s2", context_id="course-1")


def committed(activity, sub: str, *, email: str = "", name: str = "") -> LtiUser:
    user = LtiUser.objects.filter(sub=sub).first() or make_user(activity, sub, name or sub)
    if email:
        user.email = email
        user.save()
    commit_in(activity, user)
    return user


def past_due(activity, user) -> None:
    record = LearnerRecord.objects.get(activity=activity, user=user)
    record.state["commitment"]["due_on"] = "2020-01-31"
    record.save()


def text_of(answer) -> str:
    return html.unescape(answer.content.decode())


def series_table(page: str) -> list[str]:
    section = page[page.index('id="series"') :]
    return re.findall(r'<tr data-session="\d+"', section[: section.index("</table>")])


def test_staff_see_the_courses_sessions_in_order_with_their_figures(first, second):
    committed(first, "ana")
    page = text_of(staff_view(second, "en", viewer=None))
    assert "This course's series" in page
    assert len(series_table(page)) == 2
    first_row = page[page.index('<tr data-session="1"') : page.index('<tr data-session="2"')]
    assert ">1</td>" in first_row  # one participant, one card, one commitment
    assert 'aria-current="true"' in page[page.index('<tr data-session="2"') :]


def test_a_session_date_orders_the_series_before_an_undated_session(first, second):
    second.session_date = dt.date(2020, 1, 6)
    second.save()
    page = text_of(staff_view(second, "en", viewer=None))
    row = page[page.index('<tr data-session="1"') : page.index('<tr data-session="2"')]
    assert 'aria-current="true"' in row and "2020-01-06" in row


def token(activity, purpose: str) -> str:
    return sign_data({"activity": activity.pk, "lang": "en", "user": None}, purpose)


def test_staff_set_the_session_date_in_the_staff_view(first):
    answer = Client().post(
        "/lti/session-date", {"token": token(first, "session-date"), "session_date": "2026-03-16"}
    )
    assert answer.status_code == 200
    first.refresh_from_db()
    assert first.session_date == dt.date(2026, 3, 16)
    assert 'value="16/03/2026"' in text_of(answer)  # shown as staff type it


def test_an_empty_session_date_clears_it(first):
    first.session_date = dt.date(2026, 3, 16)
    first.save()
    Client().post("/lti/session-date", {"token": token(first, "session-date"), "session_date": ""})
    first.refresh_from_db()
    assert first.session_date is None


def test_a_bad_session_date_is_refused_with_a_message_and_the_typed_value_kept(first):
    answer = Client().post(
        "/lti/session-date", {"token": token(first, "session-date"), "session_date": "2026/99/99"}
    )
    assert answer.status_code == 400
    page = text_of(answer)
    assert "Enter the session's date as dd/mm/yyyy" in page
    assert 'value="2026/99/99"' in page
    first.refresh_from_db()
    assert first.session_date is None


def test_a_session_date_form_with_a_forged_token_is_refused(first):
    answer = Client().post("/lti/session-date", {"token": "forged", "session_date": "2026-03-16"})
    assert answer.status_code == 403


def test_the_staff_view_counts_who_reminders_cannot_reach(first, second):
    committed(first, "ana", email="ana@example.test")
    committed(first, "ben")  # no address
    carla = committed(second, "carla", email="carla@example.test")
    carla.unsubscribed_at = dt.datetime.now(dt.UTC)
    carla.save()
    page = text_of(staff_view(second, "en", viewer=None))
    assert "Open experiments in the series (committed, not reported back): 3." in page
    assert "no e-mail address for them: 1." in page
    assert "Learners who turned the reminders off: 1." in page


def test_the_nudge_button_shows_only_when_a_learner_is_late(first):
    ana = committed(first, "ana", email="ana@example.test")
    assert 'action="https://koula.example.test/lti/nudge"' not in text_of(
        staff_view(first, "en", viewer=None)
    )
    past_due(first, ana)
    page = text_of(staff_view(first, "en", viewer=None))
    assert 'action="https://koula.example.test/lti/nudge"' in page
    assert "past its due date and not reported back: 1." in page


def test_the_staff_run_sheet_checks_in_every_earlier_commitment(first, second):
    committed(first, "ana", name="Ana Lima")
    page = text_of(staff_view(second, "en", viewer=None))
    runsheet = page[page.index('id="runsheet"') : page.index('id="next-host"')]
    assert "Ana Lima" in runsheet and COMMITMENT["action"] in runsheet


def test_a_learner_host_sees_only_the_commitments_shared_with_the_group(first, second):
    committed(first, "ana", name="Ana Lima")
    ben = committed(first, "ben", name="Ben Okafor")
    record = LearnerRecord.objects.get(activity=first, user=ben)
    record.state["commitment"]["share_with_group"] = True
    record.save()
    host = make_user(second, "hugo", "Hugo")
    second.next_host, second.host_turns = (
        "Hugo",
        [{"name": "Hugo", "learner_id": "hugo", "at": "2026-01-01T00:00:00Z"}],
    )
    second.save()
    tools = str(host_tools(second, _template(second), "en", api="x", token="t", viewer=host.sub))
    assert "Ben Okafor" in tools and "Ana Lima" not in tools


def _template(activity):
    from lti.services.activities import template_of

    return template_of(activity)


def test_the_nudge_form_of_the_staff_view_is_accepted_by_the_nudge_endpoint(first):
    past_due(first, committed(first, "ana", email="ana@example.test"))
    page = text_of(staff_view(first, "en", viewer=None))
    form = page[page.index('id="nudge"') :]
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    assert Client().post("/lti/nudge", {"token": token}).status_code == 200


def test_staff_set_the_session_date_when_they_set_up_the_activity_at_first_launch(tool_keys):
    activity = make_activity(template=None)
    form = {"token": token(activity, "configure"), "session_date": "2026-03-16", "do": "save"}
    assert Client().post("/lti/configure", form).status_code == 200
    activity.refresh_from_db()
    assert activity.session_date == dt.date(2026, 3, 16)


def test_a_bad_date_at_first_launch_shows_the_picker_again_with_the_typed_value(tool_keys):
    activity = make_activity(template=None)
    form = {"token": token(activity, "configure"), "session_date": "mars", "do": "save"}
    answer = Client().post("/lti/configure", form)
    page = text_of(answer)
    assert 'value="mars"' in page and "Enter the session's date as dd/mm/yyyy" in page
    activity.refresh_from_db()
    assert not activity.configured
