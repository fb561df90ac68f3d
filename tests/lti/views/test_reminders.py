"""The pages a reminder e-mail leads to, and staff's nudge (lti/views/reminders.py), in process."""

from __future__ import annotations

import datetime as dt
import email
import re
from email.policy import default as policy

import pytest
from django.test import Client

from koula_demo.learner_calls import RETURN
from lti.bearer import sign_data
from lti.models import LearnerRecord, LtiUser
from lti.services.reminders import reminders_run
from lti.views.reminder_mail import compose_reminder
from tests.lti.in_process import committed, make_activity, make_user

pytestmark = pytest.mark.django_db
COURSE = "https://lms.example.test/course/1"


@pytest.fixture
def mailbox(tmp_path, monkeypatch):
    folder = tmp_path / "mailbox"
    monkeypatch.setenv("KOULA_EMAIL_URL", f"mailbox://{folder}")
    return folder


@pytest.fixture
def activity():
    return make_activity(context_id="course-1", course_url=COURSE)


@pytest.fixture
def ana(activity):
    user = make_user(activity, "ana", "Ana")
    user.email, user.language = "ana@example.test", "fr"
    user.save()
    return user


def due_on(activity, user, day: dt.date) -> None:
    """Move the learner's due date to ``day`` (as if they had committed long ago)."""
    record = LearnerRecord.objects.get(activity=activity, user=user)
    record.state["commitment"]["due_on"] = day.isoformat()
    record.save()


def links(mailbox, activity, user, due=None) -> dict[str, str]:
    """The return and unsubscribe paths of the reminder ``user`` gets on the due date."""
    committed_due = committed(activity, user)
    if due is not None:
        due_on(activity, user, due)
    reminders_run(today=due or committed_due, compose=compose_reminder)
    (message,) = mailbox.glob("*.eml")
    parsed = email.message_from_bytes(message.read_bytes(), policy=policy)
    text = parsed.get_body(("plain",)).get_content()
    found = dict(re.findall(r"https://koula\.example\.test(/lti/reminders/(\w+)/\S+)", text))
    return {kind: path for path, kind in found.items()}


def test_the_return_link_opens_the_return_form_outside_the_lms(mailbox, activity, ana):
    page = Client().get(links(mailbox, activity, ana)["return"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="koula-context"' in html and '"token":' in html
    assert 'data-part="return"' in html  # the return form, which the page scrolls to
    assert 'lang="fr"' in html
    assert COURSE in html


def test_the_return_links_token_submits_the_return(mailbox, activity, ana):
    page = Client().get(links(mailbox, activity, ana)["return"]).content.decode()
    token = re.search(r'"token": ?"([^"]+)"', page).group(1)
    answer = Client().post(
        f"/lti/api/{activity.pk}/submit_return",
        {"values": RETURN},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["progress"]["activity"] == "Completed"


def test_an_expired_return_link_is_a_410_page_in_the_learners_language_with_the_course_link(
    mailbox, activity, ana
):
    three_weeks_ago = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=21)
    path = links(mailbox, activity, ana, due=three_weeks_ago)["return"]
    page = Client().get(path)
    assert page.status_code == 410
    assert page["Content-Language"] == "fr"
    assert COURSE in page.content.decode()


def test_a_forged_return_link_is_a_403_page(mailbox, activity, ana):
    path = links(mailbox, activity, ana)["return"]
    page = Client().get(path[:-3] + "xyz", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 403
    assert page["Content-Language"] == "fr"


def test_the_return_link_of_a_deleted_activity_is_a_404_page_with_the_course_link(
    mailbox, activity, ana
):
    path = links(mailbox, activity, ana)["return"]
    activity.delete()
    page = Client().get(path)
    assert page.status_code == 404
    assert COURSE in page.content.decode()


def test_unsubscribing_takes_a_post_not_a_get(mailbox, activity, ana):
    path = links(mailbox, activity, ana)["unsubscribe"]
    asked = Client().get(path)
    assert asked.status_code == 200 and b'method="post"' in asked.content
    assert LtiUser.objects.get(pk=ana.pk).unsubscribed_at is None
    done = Client(enforce_csrf_checks=True).post(path, {"action": "unsubscribe"})
    assert done.status_code == 200
    assert LtiUser.objects.get(pk=ana.pk).unsubscribed_at is not None
    Client().post(path, {"action": "resubscribe"})
    assert LtiUser.objects.get(pk=ana.pk).unsubscribed_at is None


def test_a_mail_programs_one_click_post_unsubscribes(mailbox, activity, ana):
    path = links(mailbox, activity, ana)["unsubscribe"]
    Client().post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert LtiUser.objects.get(pk=ana.pk).unsubscribed_at is not None


def test_a_forged_unsubscribe_link_is_a_403_page(activity, ana):
    assert Client().get("/lti/reminders/unsubscribe/forged").status_code == 403


def nudge(token: str):
    return Client(enforce_csrf_checks=True).post("/lti/nudge", {"token": token})


def test_staffs_nudge_reaches_the_late_learners_once_a_day(mailbox, activity, ana):
    committed(activity, ana)
    due_on(activity, ana, dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))
    staff = make_user(activity, "claire", "Claire")
    token = sign_data({"activity": activity.pk, "lang": "en", "user": staff.pk}, "nudge")
    first = nudge(token)
    assert first.status_code == 200
    assert "Late learners nudged by e-mail: 1" in first.content.decode()
    again = nudge(token)
    assert "Late learners nudged by e-mail: 0" in again.content.decode()
    assert "Already nudged today: 1" in again.content.decode()
    assert len(list(mailbox.glob("*.eml"))) == 1


def test_a_nudge_without_a_valid_staff_token_is_refused(mailbox, activity, ana):
    assert nudge("forged").status_code == 403
    learner_form = sign_data({"activity": activity.pk, "lang": "en"}, "next-host")
    assert nudge(learner_form).status_code == 403


def test_a_nudge_without_a_mail_server_says_nothing_was_sent(monkeypatch, activity, ana):
    monkeypatch.delenv("KOULA_EMAIL_URL", raising=False)
    token = sign_data({"activity": activity.pk, "lang": "fr", "user": ana.pk}, "nudge")
    answer = nudge(token)
    assert answer.status_code == 200
    assert "KOULA_EMAIL_URL" in answer.content.decode()
    assert answer["Content-Language"] == "fr"


def late_learners(activity, *subs: str) -> str:
    """Learners of ``activity`` whose experiment was due yesterday; return a staff nudge token."""
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    for sub in subs:
        user = make_user(activity, sub, sub.title())
        user.email = f"{sub}@example.test"
        user.save()
        committed(activity, user)
        due_on(activity, user, yesterday)
    staff = make_user(activity, "claire", "Claire")
    return sign_data({"activity": activity.pk, "lang": "en", "user": staff.pk}, "nudge")


def test_a_nudge_against_a_silent_mail_server_answers_a_clear_page_after_one_timeout(
    monkeypatch, activity
):
    from tests.lti.mail_servers import silent_server

    token = late_learners(activity, "ana", "bob", "cy")
    with silent_server() as silent:
        monkeypatch.setenv("KOULA_EMAIL_URL", silent.url())
        monkeypatch.setenv("KOULA_EMAIL_TIMEOUT", "1")
        answer = nudge(token)
        assert len(silent.connections) == 1  # one wait of KOULA_EMAIL_TIMEOUT, not three
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "The mail server could not be reached, so the nudge stopped." in html
    assert "Not sent (try again later): 1" in html
    assert "Not nudged yet (nudge again to reach them): 2" in html


def test_a_nudge_whose_letter_cannot_be_made_is_a_page_not_a_500(mailbox, monkeypatch, activity):
    """A letter that cannot be made (the e-mail package once failed on ``c@[``) is a failure
    of that learner's reminder only."""
    from lti.views import reminders as views

    def compose_failing_for_ana(reminder, links):
        if reminder.commitment.learner_id == "ana":
            raise IndexError("list index out of range")
        return compose_reminder(reminder, links)

    monkeypatch.setattr(views, "compose_reminder", compose_failing_for_ana)
    answer = nudge(late_learners(activity, "ana", "bob"))
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Late learners nudged by e-mail: 1" in html and "Not sent (try again later): 1" in html
    assert len(list(mailbox.glob("*.eml"))) == 1


def test_a_nudge_sends_at_most_its_limit_and_says_how_many_are_left(mailbox, monkeypatch, activity):
    from lti.views import reminders as views

    monkeypatch.setattr(views, "NUDGE_LIMIT", 1)
    token = late_learners(activity, "ana", "bob")
    first = nudge(token).content.decode()
    assert "Late learners nudged by e-mail: 1" in first
    assert "Not nudged yet (nudge again to reach them): 1" in first
    second = nudge(token).content.decode()
    assert "Late learners nudged by e-mail: 1" in second and "Not nudged yet" not in second
    assert len(list(mailbox.glob("*.eml"))) == 2
