"""Scores for the gradebook (lti/services/scores.py): the AGS body, timestamps, comments."""

# The fixture of tests/lti/both_databases.py is imported by name, so tests take it again:
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koula import format_time
from koula_demo.learner_calls import CARD, COMMITMENT, RETURN
from lti.models import LearnerErasure, ScoreOutbox
from lti.services.learner import run_action
from lti.services.learner_data import erase_learner
from tests.lti.both_databases import database  # noqa: F401 - the fixture, on both databases
from tests.lti.in_process import ISSUER, grant_for, make_activity, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    return make_activity(score_maximum=20)


def act(activity, user, action: str, values: dict, language: str = "en") -> dict:
    """The payload of the score that ``action`` queued."""
    run_action(grant_for(activity, user, language), activity.pk, action, {"values": values})
    return ScoreOutbox.objects.filter(activity=activity, user=user).latest("pk").payload


def test_a_score_is_the_ags_body_scaled_to_the_line_items_maximum(activity, ana):
    payload = act(activity, ana, "submit_deliverable", CARD)
    assert payload["userId"] == "ana"
    assert payload["scoreGiven"] == 8 and payload["scoreMaximum"] == 20  # the card weighs 40 %
    assert payload["activityProgress"] == "InProgress"
    assert payload["gradingProgress"] == "FullyGraded"  # Moodle drops scoreGiven otherwise
    assert dt.datetime.fromisoformat(payload["timestamp"]).utcoffset() == dt.timedelta(0)


@pytest.mark.django_db(transaction=True)
def test_timestamps_strictly_increase_per_learner_even_when_the_clock_is_behind(database):
    activity = make_activity(score_maximum=20)
    ana = make_user(activity, "ana")
    first = act(activity, ana, "submit_deliverable", CARD)
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(microsecond=123000)
    ScoreOutbox.objects.filter(activity=activity, user=ana).update(
        payload={**first, "timestamp": format_time(ahead)}
    )
    second = act(activity, ana, "commit_experiment", COMMITMENT)
    assert dt.datetime.fromisoformat(second["timestamp"]) == ahead + dt.timedelta(milliseconds=1)
    other = act(activity, make_user(activity, "ben"), "submit_deliverable", CARD)
    assert dt.datetime.fromisoformat(other["timestamp"]) < ahead  # per learner


def test_the_comment_tells_the_gradebook_reader_where_the_learner_stands(activity, ana):
    started = act(activity, ana, "submit_deliverable", CARD)["comment"]
    assert started == "In progress: 33 percent of the loop done."
    due = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=14)  # the template's window
    committed = act(activity, ana, "commit_experiment", COMMITMENT)["comment"]
    assert committed == (
        f"Committed to an experiment; return due on {due.day} {due:%B} {due.year}."
    )
    closed = act(activity, ana, "submit_return", RETURN)
    assert closed["activityProgress"] == "Completed" and closed["scoreGiven"] == 20
    assert closed["comment"] == "Loop closed: practice card, experiment and return are in."


def test_the_comment_is_in_the_learners_language(activity, ana):
    payload = act(activity, ana, "submit_deliverable", CARD, language="fr")
    assert payload["comment"] == "En cours : 33 % de la boucle accompli."


@pytest.mark.django_db(transaction=True)
def test_with_celery_a_queued_score_wakes_the_workers_once_its_action_commits(
    activity, ana, settings, monkeypatch
):
    from lti import wakeup

    settings.KOULA_WORKER = "celery"
    woken = []
    monkeypatch.setattr(wakeup, "wake_workers", lambda: woken.append("now"))
    act(activity, ana, "submit_deliverable", CARD)
    assert woken == ["now"]


@pytest.mark.django_db(transaction=True)
def test_without_celery_no_worker_is_woken(activity, ana, settings, monkeypatch):
    from lti import wakeup

    settings.KOULA_WORKER = "thread"
    woken = []
    monkeypatch.setattr(wakeup, "wake_workers", lambda: woken.append("now"))
    act(activity, ana, "submit_deliverable", CARD)
    assert woken == []


def selects_of_an_action(activity, user) -> list[str]:
    """The SELECT statements of one action that queues a partial score."""
    grant, body = grant_for(activity, user), {"values": COMMITMENT}
    with CaptureQueriesContext(connection) as seen:
        run_action(grant, activity.pk, "commit_experiment", body)
    return [query["sql"] for query in seen.captured_queries if query["sql"].startswith("SELECT")]


def test_the_last_score_is_read_with_the_record_on_sqlite_and_after_its_lock_on_postgres(
    database,
):
    """On PostgreSQL a statement does not see a score committed while it waited for the
    record's lock, so the last score is read once the lock is held; SQLite's write
    transaction holds the whole database from its first statement."""
    activity = make_activity()
    ana = make_user(activity, "ana")
    act(activity, ana, "submit_deliverable", CARD)
    selects = selects_of_an_action(activity, ana)
    assert len(selects) == (1 if database == "sqlite" else 2)
    assert all("erasure" not in sql.split(" UNION ALL ")[-1] for sql in selects[1:])


def test_the_erasures_are_read_only_where_the_platform_holds_some_on_request(database):
    activity = make_activity()
    ana, ben = make_user(activity, "ana"), make_user(activity, "ben")
    act(activity, ana, "submit_deliverable", CARD)
    LearnerErasure.objects.create(  # another reason: no grade to keep
        registration=activity.deployment.registration,
        learner="someone-else",
        reason=LearnerErasure.Reason.RETENTION,
        by="retention",
        at=dt.datetime.now(dt.UTC),
    )
    plain = selects_of_an_action(activity, ana)
    assert not any("UNION ALL" in sql or sql.count("erasure") > 1 for sql in plain)
    act(activity, ben, "submit_deliverable", CARD)
    erase_learner(ISSUER, "ana", by="dpo")  # on request
    later = selects_of_an_action(activity, ben)
    assert len(later) == len(plain) + (1 if database == "sqlite" else 0)
    assert "learnererasure" in later[-1].split("FROM")[-1].lower()
