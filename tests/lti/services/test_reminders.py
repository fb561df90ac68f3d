"""The reminder pass and the nudge (lti/services/reminders.py), with the mailbox transport.

Each message goes to a real folder (``KOULA_EMAIL_URL=mailbox:///...``) and is read back;
a mailbox that cannot be written is the real fault a failing mail server stands for.
"""

from __future__ import annotations

import datetime as dt
import email
from email.message import EmailMessage
from email.policy import default as policy

import pytest

from lti.models import LearnerRecord, SentReminder
from lti.services.learner import run_action
from lti.services.reminder_links import read_return_link
from lti.services.reminders import nudge_late, reminders_run
from lti.views.reminder_mail import compose_reminder
from tests.lti.in_process import committed, grant_for, make_activity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(tmp_path, monkeypatch):
    folder = tmp_path / "mailbox"
    monkeypatch.setenv("KOULA_EMAIL_URL", f"mailbox://{folder}")
    return folder


def received(folder) -> list[EmailMessage]:
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(f.read_bytes(), policy=policy) for f in files]


@pytest.fixture
def activity():
    return make_activity(context_id="course-1", course_url="https://lms.example.test/course/1")


def learner(activity, sub: str, *, email_address: str = "", language: str = "en"):
    user = make_user(activity, sub, sub.title())
    user.email, user.language = email_address or f"{sub}@example.test", language
    user.save()
    return user


def run(today: dt.date):
    return reminders_run(today=today, compose=compose_reminder)


def test_a_reminder_goes_two_days_before_the_due_date_and_on_it(mailbox, activity):
    due = committed(activity, learner(activity, "ana"))
    assert run(due - dt.timedelta(days=3)).sent == []
    before = run(due - dt.timedelta(days=2))
    assert [line.kind for line in before.sent] == ["before"]
    on_the_day = run(due)
    assert [line.kind for line in on_the_day.sent] == ["due"]
    (first, second) = received(mailbox)
    assert first["To"] == "ana@example.test"
    assert "in 2 days" in first["Subject"]
    assert "due today" in second["Subject"]
    assert run(due + dt.timedelta(days=1)).sent == []


def test_the_same_reminder_is_never_sent_twice(mailbox, activity):
    due = committed(activity, learner(activity, "ana"))
    assert len(run(due).sent) == 1
    again = run(due)
    assert again.sent == [] and again.already_sent == 1
    assert len(received(mailbox)) == 1
    assert SentReminder.objects.count() == 1


def test_a_second_pass_that_meets_a_claimed_key_skips_it(mailbox, activity):
    """Two passes at once: the one that read the key as unsent still cannot send it."""
    due = committed(activity, learner(activity, "ana"))
    sends = []

    def send_while_another_pass_runs(letter):
        sends.append(letter)
        inner = run(due)  # the other pass, while this one holds the key
        assert inner.sent == [] and inner.already_sent == 1

    summary = reminders_run(today=due, compose=compose_reminder, send=send_while_another_pass_runs)
    assert len(summary.sent) == 1 and len(sends) == 1


def test_the_email_is_in_the_learners_language_with_its_links(mailbox, activity):
    due = committed(activity, learner(activity, "ana", language="fr"))
    run(due)
    (message,) = received(mailbox)
    assert message["Content-Language"] == "fr"
    assert "aujourd" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://lms.example.test/course/1" in text
    assert "/lti/reminders/return/" in text and "/lti/reminders/return/" in html
    assert message["List-Unsubscribe"].startswith("<https://koula.example.test/lti/reminders/")
    token = text.split("/lti/reminders/return/")[1].split()[0]
    link = read_return_link(token)
    assert link is not None and link.activity_id == activity.pk
    assert link.valid_until == due + dt.timedelta(days=14)


def test_unsubscribed_learners_and_learners_without_an_address_are_counted_not_sent(
    mailbox, activity
):
    due = committed(activity, learner(activity, "ana"))
    off = learner(activity, "bob")
    off.unsubscribed_at = dt.datetime.now(dt.UTC)
    off.save()
    committed(activity, off)
    committed(activity, learner(activity, "cy", email_address="not an address"))
    summary = run(due)
    assert [line.learner for line in summary.sent] == ["ana Ana"]
    assert (summary.unsubscribed, summary.no_email, summary.open) == (1, 1, 3)
    assert [m["To"] for m in received(mailbox)] == ["ana@example.test"]


def test_a_reminder_that_could_not_be_sent_is_retried_by_the_next_pass(
    tmp_path, monkeypatch, activity
):
    due = committed(activity, learner(activity, "ana"))
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("KOULA_EMAIL_URL", f"mailbox://{blocked}")
    failed = run(due)
    assert (failed.sent, failed.failed) == ([], 1)
    assert SentReminder.objects.count() == 0
    monkeypatch.setenv("KOULA_EMAIL_URL", f"mailbox://{tmp_path / 'mailbox'}")
    assert len(run(due).sent) == 1


def test_without_a_mail_server_nothing_is_sent_and_the_pass_says_so(monkeypatch, activity):
    monkeypatch.delenv("KOULA_EMAIL_URL", raising=False)
    due = committed(activity, learner(activity, "ana"))
    summary = run(due)
    assert summary.configured is False and summary.sent == []
    assert SentReminder.objects.count() == 0


def test_a_returned_experiment_gets_no_reminder(mailbox, activity):
    ana = learner(activity, "ana")
    due = committed(activity, ana)
    body = {"values": {"applied": "yes", "what_happened": "Done.", "confidence": 4}}
    run_action(grant_for(activity, ana), activity.pk, "submit_return", body)
    assert run(due).sent == []


def test_a_nudge_reaches_late_learners_of_one_activity_once_a_day(mailbox, activity):
    other_tenant = make_activity(resource_link_id="elsewhere", context_id="course-1")
    other_tenant.deployment = _another_tenant()
    other_tenant.save()
    due = committed(activity, learner(activity, "ana"))
    committed(other_tenant, learner(other_tenant, "zoe"))
    late = due + dt.timedelta(days=1)
    _, first = nudge_late(activity_id=activity.pk, today=late, compose=compose_reminder)
    assert [line.learner for line in first.sent] == ["ana Ana"]
    _, again = nudge_late(activity_id=activity.pk, today=late, compose=compose_reminder)
    assert again.sent == [] and again.already_sent == 1
    tomorrow = late + dt.timedelta(days=1)
    _, next_day = nudge_late(activity_id=activity.pk, today=tomorrow, compose=compose_reminder)
    assert len(next_day.sent) == 1
    assert [m["To"] for m in received(mailbox)] == ["ana@example.test"] * 2


def test_a_nudge_before_the_due_date_sends_nothing(mailbox, activity):
    due = committed(activity, learner(activity, "ana"))
    _, summary = nudge_late(activity_id=activity.pk, today=due, compose=compose_reminder)
    assert summary.sent == [] and summary.open == 1


def _another_tenant():
    from lti.models import Deployment, Registration

    registration = Registration.objects.create(
        issuer="https://other.example.test",
        client_id="other",
        auth_login_url="https://other.example.test/auth",
        auth_token_url="https://other.example.test/token",
        keyset_url="https://other.example.test/jwks",
    )
    return Deployment.objects.create(registration=registration, deployment_id="d")


def test_the_celery_beat_asks_daily_for_a_pass_that_the_task_makes(mailbox, activity):
    from lti.celery_app import SEND_REMINDERS, app
    from lti.tasks import reminders_pass

    assert app.conf.beat_schedule["koula-reminders"]["task"] == SEND_REMINDERS
    committed(activity, learner(activity, "ana"))
    LearnerRecord.objects.filter(activity=activity).update(
        state=_due_today(LearnerRecord.objects.get(activity=activity).state)
    )
    reminders_pass.apply()
    assert [m["To"] for m in received(mailbox)] == ["ana@example.test"]


def _due_today(state: dict) -> dict:
    state["commitment"]["due_on"] = dt.datetime.now(dt.UTC).date().isoformat()
    return state


def test_a_nudge_honours_an_unsubscribe_and_counts_who_has_no_address(mailbox, activity):
    off = learner(activity, "bob")
    committed(activity, off)
    off.unsubscribed_at = dt.datetime.now(dt.UTC)
    off.save()
    due = committed(activity, learner(activity, "cy", email_address="nobody"))
    late = due + dt.timedelta(days=3)
    _, summary = nudge_late(activity_id=activity.pk, today=late, compose=compose_reminder)
    assert (len(summary.sent), summary.unsubscribed, summary.no_email) == (0, 1, 1)
    assert received(mailbox) == []


def test_a_return_link_never_opens_another_tenants_learner_on_an_activity(activity):
    from lti.bearer import sign_data
    from lti.errors import ActivityGone
    from lti.services.reminder_links import return_link_grant

    other = make_activity(resource_link_id="elsewhere")
    other.deployment = _another_tenant()
    other.save()
    stranger = learner(other, "zoe")
    until = dt.date.today() + dt.timedelta(days=5)
    token = sign_data(
        {"a": activity.pk, "u": stranger.pk, "until": until.isoformat(), "l": "en", "c": ""},
        "reminder-return",
    )
    with pytest.raises(ActivityGone):
        return_link_grant(token, today=dt.date.today(), language="en")


def test_a_pass_hands_each_reminder_to_on_sent_as_it_leaves_and_keeps_none(mailbox, activity):
    due = committed(activity, learner(activity, "ana"))
    seen = []
    summary = reminders_run(today=due, compose=compose_reminder, on_sent=seen.append)
    assert [line.learner for line in seen] == ["ana Ana"]
    assert summary.sent == [] and summary.sent_count == 1


def test_a_reminder_whose_letter_cannot_be_made_fails_alone_and_the_pass_goes_on(
    mailbox, activity, caplog
):
    """As the e-mail package did on an address like ``c@[``: the others still go."""
    due = committed(activity, learner(activity, "ana"))
    committed(activity, learner(activity, "bob"))

    def compose_failing_for_ana(reminder, links):
        if reminder.commitment.learner_id == "ana":
            raise AttributeError("'ana@example.test' has no attribute 'local_part'")
        return compose_reminder(reminder, links)

    summary = reminders_run(today=due, compose=compose_failing_for_ana)
    assert [line.learner for line in summary.sent] == ["bob Bob"]
    assert summary.failed == 1 and summary.stopped == ""
    assert list(SentReminder.objects.values_list("user__sub", flat=True)) == ["bob"]
    assert "AttributeError" in caplog.text and "ana@" not in caplog.text
    assert len(run(due).sent) == 1  # the next pass tries ana again


def test_a_process_stopping_mid_letter_gives_the_key_back_and_stops(mailbox, activity):
    due = committed(activity, learner(activity, "ana"))

    def interrupted(letter):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reminders_run(today=due, compose=compose_reminder, send=interrupted)
    assert SentReminder.objects.count() == 0


def three_due(activity) -> dt.date:
    due = committed(activity, learner(activity, "ana"))
    for sub in ("bob", "cy"):
        committed(activity, learner(activity, sub))
    return due


def test_a_pass_sends_its_reminders_on_one_connection_to_the_mail_server(monkeypatch, activity):
    pytest.importorskip("aiosmtpd")
    from tests.lti.mail_servers import smtp_inbox

    due = three_due(activity)
    with smtp_inbox() as (inbox, server):
        monkeypatch.setenv("KOULA_EMAIL_URL", f"smtp://127.0.0.1:{server.port}")
        assert run(due).sent_count == 3
    assert len(inbox.messages) == 3 and len(set(inbox.peers)) == 1


def test_a_pass_against_a_silent_mail_server_stops_at_its_first_reminder_and_keeps_no_key(
    monkeypatch, activity
):
    from lti.services.reminders import UNREACHABLE
    from tests.lti.mail_servers import silent_server

    due = three_due(activity)
    with silent_server() as silent:
        monkeypatch.setenv("KOULA_EMAIL_URL", silent.url())
        monkeypatch.setenv("KOULA_EMAIL_TIMEOUT", "0.5")
        summary = run(due)
        assert len(silent.connections) == 1  # not one wait per reminder
    assert summary.stopped == UNREACHABLE and "127.0.0.1" in summary.stopped_by
    assert (summary.sent_count, summary.failed) == (0, 1)
    assert SentReminder.objects.count() == 0  # the next pass sends all three


def test_a_pass_stops_between_reminders_when_asked_and_the_next_sends_the_rest(mailbox, activity):
    from lti.services.reminders import INTERRUPTED

    due = three_due(activity)
    summary = reminders_run(
        today=due, compose=compose_reminder, should_stop=lambda: len(received(mailbox)) >= 1
    )
    assert summary.stopped == INTERRUPTED and summary.sent_count == 1
    assert SentReminder.objects.count() == 1
    assert run(due).sent_count == 2


def test_the_workers_pass_sends_nothing_once_the_worker_is_stopping(mailbox, activity):
    import threading

    from lti.worker import send_reminders

    committed(activity, learner(activity, "ana"))
    LearnerRecord.objects.filter(activity=activity).update(
        state=_due_today(LearnerRecord.objects.get(activity=activity).state)
    )
    stop = threading.Event()
    stop.set()
    send_reminders(should_stop=stop.is_set)
    assert received(mailbox) == []
    send_reminders(should_stop=threading.Event().is_set)
    assert len(received(mailbox)) == 1


def test_a_nudge_sends_at_most_its_limit_and_counts_who_is_left(mailbox, activity):
    from lti.services.reminders import LIMIT

    late = three_due(activity) + dt.timedelta(days=3)
    _, first = nudge_late(activity_id=activity.pk, today=late, compose=compose_reminder, limit=2)
    assert (len(first.sent), first.remaining, first.stopped) == (2, 1, LIMIT)
    _, second = nudge_late(activity_id=activity.pk, today=late, compose=compose_reminder, limit=2)
    assert (len(second.sent), second.already_sent, second.remaining) == (1, 2, 0)
    assert len(received(mailbox)) == 3


def test_a_nudge_against_a_silent_mail_server_stops_at_once_and_counts_who_is_left(
    monkeypatch, activity
):
    from lti.services.reminders import UNREACHABLE
    from tests.lti.mail_servers import silent_server

    late = three_due(activity) + dt.timedelta(days=3)
    with silent_server() as silent:
        monkeypatch.setenv("KOULA_EMAIL_URL", silent.url())
        monkeypatch.setenv("KOULA_EMAIL_TIMEOUT", "0.5")
        _, summary = nudge_late(activity_id=activity.pk, today=late, compose=compose_reminder)
        assert len(silent.connections) == 1
    assert (summary.stopped, summary.failed, summary.remaining) == (UNREACHABLE, 1, 2)
    assert SentReminder.objects.count() == 0
