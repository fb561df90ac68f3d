"""A learner's data on request and after the retention period, on SQLite and PostgreSQL.

Ana submits her card, commits, reports back, shares her card and offers to host; Ben marks
her card and staff hand the next session to her; a score was delivered, statements were
queued and sent, a reminder went, a CSV export was prepared. After erasure none of her
words, her name, her e-mail or her platform id is anywhere in the database, the CSV, the
export or a prepared file; the report counts the same; erasing again changes nothing.
"""

# The fixtures of tests/lti/both_databases.py are imported by name, so tests take them again:
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers

from koula import format_time, stream_members_csv
from koula.community import public_id
from koula.use_cases.series.reminders import reminder_key
from koula_demo.learner_calls import CARD, COMMITMENT, RETURN
from lti.models import (
    Activity,
    LearnerErasure,
    LearnerRecord,
    LtiUser,
    ReportExport,
    ScoreOutbox,
    SentReminder,
    StatementOutbox,
)
from lti.selectors.learner_data import activity_export, learner_export
from lti.services.activities import template_of
from lti.services.community import assign_next_host, card_scope
from lti.services.learner import run_action
from lti.services.learner_data import erase_expired, erase_learner, learner_key
from lti.services.reports import activity_members, activity_report
from lti.services.xapi import queue_launch
from tests.lti.both_databases import database  # noqa: F401 - the fixture, on both databases
from tests.lti.in_process import ISSUER, grant_for, make_activity, make_user

pytestmark = pytest.mark.django_db(transaction=True)

SUB, NAME, EMAIL = "ana-4711", "Ana Lopez", "ana.lopez@example.test"
STORY = "Ana's team halved review time"
BLOCKER = "Ana's manager Pierre"
WORDS = (SUB, NAME, EMAIL, STORY, BLOCKER, CARD["problem"], COMMITMENT["action"])
WORDS += (RETURN["what_happened"], "Review within a day")
NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)


def act(activity, user, action, body):
    return run_action(grant_for(activity, user), activity.pk, action, body)


def ana_and_ben(tmp_path: Path):
    activity = make_activity()
    ana, ben = make_user(activity, SUB, NAME), make_user(activity, "ben", "Ben")
    LtiUser.objects.filter(pk=ana.pk).update(email=EMAIL)
    act(activity, ana, "submit_deliverable", {"values": CARD})
    act(activity, ana, "commit_experiment", {"values": COMMITMENT})
    act(activity, ana, "share_card", {"shared": True})
    act(activity, ana, "volunteer_host", {"volunteer": True})
    told = {**RETURN, "blockers": [BLOCKER], "value_story": STORY, "value_cycle": "applied"}
    act(activity, ana, "submit_return", {"values": told})
    act(activity, ben, "save_draft", {"part": "deliverable", "values": {"problem": "Mine"}})
    act(activity, ben, "reuse_card", {"card": public_id(card_scope(activity), SUB), "reuse": True})
    assign_next_host(activity.pk, NAME.lower(), "en")
    ScoreOutbox.objects.filter(user=ana).update(status=ScoreOutbox.Status.DELIVERED)
    act(activity, ana, "save_draft", {"part": "return", "values": {"learning": STORY}})
    payload = {"userId": SUB, "scoreGiven": 1, "comment": STORY}
    ScoreOutbox.objects.create(activity=activity, user=ana, payload=payload, next_attempt_at=NOW)
    SentReminder.objects.create(key="k1", activity=activity, user=ana, kind="due", due_on=NOW)
    for status in StatementOutbox.Status.PENDING, StatementOutbox.Status.DELIVERED:
        StatementOutbox.objects.create(
            activity=activity,
            user=ana,
            statement_id=uuid.uuid4(),
            verb="returned",
            statement={
                "id": "x",
                "timestamp": "2026-12-04T15:42:07.123Z",
                "actor": {"account": {"homePage": ISSUER, "name": SUB}},
                "verb": {"id": "v"},
                "object": {"id": "o", "definition": {"name": {"en": "Pair review"}}},
                "result": {"completion": True, "response": STORY},
            },
            status=status,
            next_attempt_at=NOW,
        )
    folder = Path(settings.KOULA_EXPORT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prepared.csv").write_text(STORY)
    ReportExport.objects.create(
        activity=activity, status=ReportExport.Status.DONE, file_name="prepared.csv"
    )
    return Activity.objects.get(pk=activity.pk), ana, ben


def everything() -> str:
    """Every row of every table that holds learners' data, as JSON text."""
    models = (LtiUser, LearnerRecord, ScoreOutbox, SentReminder, StatementOutbox, Activity)
    models += (LearnerErasure, ReportExport)
    return "".join(serializers.serialize("json", model.objects.all()) for model in models)


def csv_of(activity) -> str:
    return "".join(stream_members_csv(template_of(activity), activity_members(activity)))


def figures(activity):
    gathered = activity_report(activity, template_of(activity))
    data = gathered.report.to_data()
    return {k: v for k, v in data.items() if k not in ("blockers", "value_stories", "computed_at")}


def test_after_erasure_none_of_the_learners_words_is_left_anywhere(database, tmp_path):
    activity, _ana, _ben = ana_and_ben(tmp_path)
    before = everything() + csv_of(activity) + json.dumps(learner_export(ISSUER, SUB, now=NOW))
    assert [word for word in WORDS if word not in before] == []
    erase_learner(ISSUER, SUB, by="dpo@example.test", now=NOW)
    export = learner_export(ISSUER, SUB, now=NOW)  # it names whom it was asked about
    assert (export["sub"], export["accounts"], len(export["erasures"])) == (SUB, [], 1)
    after = everything() + csv_of(activity) + json.dumps(export["erasures"])
    assert [word for word in WORDS if word in after] == []
    assert not (Path(settings.KOULA_EXPORT_DIR) / "prepared.csv").exists()


def test_the_reports_figures_are_the_same_after_erasure(database, tmp_path):
    activity, _ana, _ben = ana_and_ben(tmp_path)
    before = figures(activity)
    community_before = activity_report(activity, template_of(activity)).community
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    assert figures(activity) == before
    community = activity_report(activity, template_of(activity)).community
    assert (community.cards, community.shared) == (community_before.cards, 0)


def test_what_was_delivered_keeps_only_the_score_and_what_was_not_is_dropped(database, tmp_path):
    activity, _ana, _ben = ana_and_ben(tmp_path)
    delivered = ScoreOutbox.objects.filter(status=ScoreOutbox.Status.DELIVERED).count()
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    scores = ScoreOutbox.objects.filter(activity=activity).exclude(user__sub="ben")
    assert [row.status for row in scores] == [ScoreOutbox.Status.DELIVERED] * delivered
    assert {tuple(sorted(row.payload)) for row in scores} == {
        ("activityProgress", "gradingProgress", "scoreGiven", "scoreMaximum", "timestamp")
    }
    assert {row.payload["timestamp"][10:] for row in scores} == {"T00:00:00.000Z"}
    (sent,) = StatementOutbox.objects.all()
    assert sent.statement == {  # no id: it was made from the learner's id
        "verb": {"id": "v"},
        "timestamp": "2026-12-04T00:00:00.000Z",
        "object": {"id": "o"},
        "result": {"completion": True},
    }


def test_the_erasure_is_recorded_with_who_when_and_what_under_a_keyed_hash(database, tmp_path):
    ana_and_ben(tmp_path)
    erase_learner(ISSUER, SUB, by="dpo@example.test", now=NOW)
    (row,) = LearnerErasure.objects.all()
    assert (row.learner, row.by, row.reason, row.at) == (
        learner_key(ISSUER, SUB),
        "dpo@example.test",
        "request",
        NOW,
    )
    assert SUB not in row.learner
    assert row.removed["records"] == 1
    assert row.removed["host_turns"] == 1
    assert row.removed["scores_not_delivered"] == 1
    assert row.removed["statements_not_sent"] == 1


def test_a_learners_key_follows_the_tools_secret(settings):
    first = learner_key(ISSUER, SUB)
    assert learner_key(ISSUER, SUB) == first and learner_key(ISSUER, "ben") != first
    settings.SECRET_KEY = "another secret of fifty characters or more, as Django asks"
    assert learner_key(ISSUER, SUB) != first


def test_erasing_again_finds_nothing_to_do_and_says_when_it_was_done(database, tmp_path):
    _activity, _ana, _ben = ana_and_ben(tmp_path)
    first = erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    state = everything()
    again = erase_learner(ISSUER, SUB, by="dpo", now=NOW + dt.timedelta(days=1))
    assert (first.accounts, again.accounts, again.erased_before) == (1, 0, NOW)
    assert again.found and not erase_learner(ISSUER, "nobody", by="dpo").found
    assert everything() == state


def test_a_host_turn_names_a_neutral_label_and_the_offer_is_withdrawn(database, tmp_path):
    activity, _ana, _ben = ana_and_ben(tmp_path)
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    activity.refresh_from_db()
    (turn,) = activity.host_turns
    assert turn["name"].startswith("Participant ") and turn["learner_id"] is None
    assert activity.next_host == turn["name"]
    assert activity_report(activity, template_of(activity)).volunteers == []


def test_the_export_holds_everything_about_the_learner(database, tmp_path):
    activity, ana, _ben = ana_and_ben(tmp_path)
    data = learner_export(ISSUER, SUB, now=NOW)
    (account,) = data["accounts"]
    assert (account["name"], account["email"]) == (NAME, EMAIL)
    (held,) = account["activities"]
    assert held["state"]["return"]["values"]["value_story"] == STORY
    assert held["state"]["return"]["draft"] == {"learning": STORY}
    assert held["state"]["community"]["shared"] is True
    assert held["card_marked_by_others"] == 1
    assert [turn["name"] for turn in held["host_turns"]] == [NAME]
    assert [row["kind"] for row in held["reminders_sent"]] == ["due"]
    assert {row["status"] for row in held["scores"]} == {"delivered", "pending"}
    assert [row["status"] for row in held["statements"]] == ["pending", "delivered"]
    assert activity_export(activity, ana, now=NOW)["activity"] == held
    assert learner_export(ISSUER, "nobody", now=NOW) is None


def test_retention_erases_only_the_records_idle_for_the_days_set(database, tmp_path):
    activity, ana, ben = ana_and_ben(tmp_path)
    LearnerRecord.objects.filter(user=ana).update(updated_at=NOW - dt.timedelta(days=30))
    LearnerRecord.objects.filter(user=ben).update(updated_at=NOW - dt.timedelta(days=29))
    before = figures(activity)
    assert erase_expired(days=30, now=NOW) == 1
    assert erase_expired(days=30, now=NOW) == 0
    assert figures(activity) == before
    assert "Mine" in json.dumps(LearnerRecord.objects.get(user=ben).state)
    kept = LearnerRecord.objects.get(user=ana)  # she stays in the course: her record too
    assert kept.updated_at == NOW - dt.timedelta(days=30)
    assert LtiUser.objects.get(pk=ana.pk).name == NAME
    (row,) = LearnerErasure.objects.all()
    assert (row.reason, row.by, row.learner) == ("retention", "retention", learner_key(ISSUER, SUB))
    assert [word for word in WORDS[3:] if word in csv_of(activity)] == []
    assert [word for word in WORDS[3:] if word in json.dumps(kept.state)] == []


def test_retention_is_off_unless_days_are_set(database, tmp_path):
    _activity, ana, _ben = ana_and_ben(tmp_path)
    LearnerRecord.objects.update(updated_at=NOW - dt.timedelta(days=3650))
    assert erase_expired(now=NOW) == 0
    assert STORY in json.dumps(LearnerRecord.objects.get(user=ana).state)
    assert not LearnerErasure.objects.exists()


def test_the_worker_erases_idle_answers_only_when_retention_is_set(database, tmp_path, settings):
    from lti.worker import erase_expired_answers

    ana_and_ben(tmp_path)
    LearnerRecord.objects.update(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=31))
    settings.KOULA_RETENTION_DAYS = None
    erase_expired_answers()
    assert not LearnerErasure.objects.exists()
    settings.KOULA_RETENTION_DAYS = 30
    erase_expired_answers()
    assert LearnerErasure.objects.filter(reason="retention").count() == 2


@pytest.mark.parametrize(("given", "days"), [("", None), ("0", None), ("30", 30)])
def test_retention_days_are_read_from_the_environment(monkeypatch, given, days):
    from lti import config

    monkeypatch.setenv("KOULA_RETENTION_DAYS", given)
    assert config.retention_days() == days


def test_a_negative_retention_says_what_to_give(monkeypatch):
    from lti import config

    monkeypatch.setenv("KOULA_RETENTION_DAYS", "-1")
    with pytest.raises(config.ConfigError, match="number of days"):
        config.retention_days()


def test_no_statement_queued_after_erasure_holds_the_learners_words(database, tmp_path, settings):
    settings.KOULA_XAPI_URL = "http://127.0.0.1:9/xAPI"
    activity = make_activity()
    Activity.objects.filter(pk=activity.pk).update(
        settings={"template_id": "default-koula", "xapi_text": True}
    )
    activity.refresh_from_db()
    ana, ben = make_user(activity, SUB, NAME), make_user(activity, "ben", "Ben")
    act(activity, ana, "submit_deliverable", {"values": CARD})
    act(activity, ana, "commit_experiment", {"values": COMMITMENT})
    act(activity, ana, "share_card", {"shared": True})
    act(activity, ana, "submit_return", {"values": {**RETURN, "what_happened": STORY}})
    assign_next_host(activity.pk, NAME, "en")
    queued = json.dumps(list(StatementOutbox.objects.values_list("statement", flat=True)))
    assert STORY in queued and SUB in queued
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    assert not StatementOutbox.objects.exists()  # none was sent: all dropped
    act(activity, ben, "submit_deliverable", {"values": CARD})
    act(activity, ben, "share_card", {"shared": True})
    assign_next_host(activity.pk, "Ben", "en")
    later = json.dumps(list(StatementOutbox.objects.values_list("statement", flat=True)))
    assert StatementOutbox.objects.exists()
    assert [word for word in WORDS if word in later] == []


def test_the_export_and_erasure_reach_activities_where_the_learner_has_no_record(
    database, tmp_path, settings
):
    settings.KOULA_XAPI_URL = "http://127.0.0.1:9/xAPI"
    activity, ana, _ben = ana_and_ben(tmp_path)
    opened = make_activity(resource_link_id="rl-opened")  # she only opened its page
    assert queue_launch(opened, ana, "en") == 1
    handed = make_activity(resource_link_id="rl-handed")  # staff handed her its next session
    assign_next_host(handed.pk, NAME, "en")
    reminded = make_activity(resource_link_id="rl-reminded")
    SentReminder.objects.create(key="k2", activity=reminded, user=ana, kind="due", due_on=NOW)
    held = {
        row["id"]: row for row in learner_export(ISSUER, SUB, now=NOW)["accounts"][0]["activities"]
    }
    assert sorted(held) == sorted([activity.pk, opened.pk, handed.pk, reminded.pk])
    assert [row["verb"]["id"] for row in (r["statement"] for r in held[opened.pk]["statements"])]
    assert [turn["name"] for turn in held[handed.pk]["host_turns"]] == [NAME]
    assert [row["kind"] for row in held[reminded.pk]["reminders_sent"]] == ["due"]
    assert held[handed.pk]["last_action_at"] is None
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    handed.refresh_from_db()
    assert handed.next_host.startswith("Participant ") and NAME not in json.dumps(handed.host_turns)
    assert [word for word in WORDS if word in everything()] == []


def test_erasure_leaves_a_namesake_of_another_platform_alone(database, tmp_path):
    from lti.models import Deployment, Registration

    ana_and_ben(tmp_path)
    other = Registration.objects.create(
        issuer="https://other.example.test",
        client_id="c2",
        auth_login_url="https://other.example.test/a",
        auth_token_url="https://other.example.test/t",
        keyset_url="https://other.example.test/k",
    )
    elsewhere = Activity.objects.create(
        deployment=Deployment.objects.create(registration=other, deployment_id="d2"),
        resource_link_id="rl-else",
        settings={"template_id": "default-koula"},
        configured=True,
    )
    assign_next_host(elsewhere.pk, NAME, "en")
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    elsewhere.refresh_from_db()
    assert elsewhere.next_host == NAME and elsewhere.host_turns[0]["name"] == NAME


def test_nothing_kept_after_erasure_is_derived_from_the_learners_id(database, tmp_path, settings):
    """The reminders' keys and the statements' ids were hashes of the learner's id: whoever
    knew the id could find her erased record by them."""
    from koula import XapiActor, XapiEvent, statement_id, xapi_namespace
    from lti.services.xapi import xapi_place

    settings.KOULA_XAPI_URL = "http://127.0.0.1:9/xAPI"
    activity, ana, _ben = ana_and_ben(tmp_path)
    due = dt.date(2026, 12, 19)
    key = reminder_key(SUB, str(activity.pk), "due", due)
    SentReminder.objects.create(key=key, activity=activity, user=ana, kind="due", due_on=due)
    StatementOutbox.objects.all().delete()
    act(activity, ana, "share_card", {"shared": False})
    StatementOutbox.objects.update(status=StatementOutbox.Status.DELIVERED)
    (queued,) = StatementOutbox.objects.all()
    moment = dt.datetime.fromisoformat(queued.statement["timestamp"].replace("Z", "+00:00"))
    made = statement_id(
        xapi_namespace(settings.BASE_URL),
        XapiActor(ISSUER, SUB),
        xapi_place(activity),
        XapiEvent(queued.verb, moment),
    )
    assert str(queued.statement_id) == queued.statement["id"] == made  # before: the same
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    (sent,) = StatementOutbox.objects.all()
    assert "id" not in sent.statement and str(sent.statement_id) != made
    assert key not in SentReminder.objects.values_list("key", flat=True)
    assert SentReminder.objects.filter(due_on=due).exists()
    # nor the times the gradebook and the LRS keep with her id: only their day
    times = [LearnerRecord.objects.exclude(user__sub="ben").get().updated_at]
    for row in [sent, *ScoreOutbox.objects.exclude(user__sub="ben")]:
        times += [row.created_at, row.delivered_at]
    assert {moment.time() for moment in times if moment} == {dt.time(0, 0)}


def test_after_retention_the_learner_goes_on_from_the_same_record(database, tmp_path):
    activity = make_activity()
    ana, ben = make_user(activity, SUB, NAME), make_user(activity, "ben", "Ben")
    for action, values in [
        ("submit_deliverable", CARD),
        ("commit_experiment", COMMITMENT),
        ("submit_return", {**RETURN, "what_happened": STORY}),
    ]:
        act(activity, ana, action, {"values": values})
    act(activity, ben, "submit_deliverable", {"values": CARD})
    ScoreOutbox.objects.update(status=ScoreOutbox.Status.DELIVERED)
    LearnerRecord.objects.filter(user=ana).update(updated_at=NOW - dt.timedelta(days=400))
    before = figures(activity)
    assert erase_expired(days=365, now=NOW) == 1
    assert erase_expired(days=365, now=NOW) == 0  # erased, no action since: nothing to do
    act(activity, ana, "save_draft", {"part": "return", "values": {"learning": "Again"}})
    answer = act(activity, ana, "submit_deliverable", {"values": CARD})
    assert answer["progress"]["activity"] == "Completed"
    (record,) = LearnerRecord.objects.filter(activity=activity, user__sub=SUB)
    assert STORY not in json.dumps(record.state)
    assert not ScoreOutbox.objects.filter(status=ScoreOutbox.Status.PENDING).exists()
    assert figures(activity) == before  # she counts once, as before
    assert LearnerErasure.objects.count() == 1


def test_a_learner_erased_on_request_who_comes_back_sends_no_partial_score(database, tmp_path):
    """Koula no longer knows the grade it sent her (the gradebook keeps it): it sends her new
    score only once it is full, which lowers no grade."""
    activity = make_activity()
    ana = make_user(activity, SUB, NAME)
    act(activity, ana, "submit_deliverable", {"values": CARD})
    act(activity, ana, "commit_experiment", {"values": COMMITMENT})
    ScoreOutbox.objects.update(status=ScoreOutbox.Status.DELIVERED)
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    again = make_user(activity, SUB, NAME)  # she launches again: a new account
    act(activity, again, "submit_deliverable", {"values": CARD})
    act(activity, again, "commit_experiment", {"values": COMMITMENT})
    assert not ScoreOutbox.objects.filter(user=again).exists()
    act(activity, again, "submit_return", {"values": RETURN})
    (score,) = ScoreOutbox.objects.filter(user=again)
    assert (score.payload["scoreGiven"], score.payload["activityProgress"]) == (100, "Completed")
    ben = make_user(activity, "ben", "Ben")  # another learner's partial scores still go
    act(activity, ben, "submit_deliverable", {"values": CARD})
    assert ScoreOutbox.objects.filter(user=ben).exists()


def test_the_scores_of_a_learner_erased_on_request_still_strictly_increase(database, tmp_path):
    """Her last score is read with her erasures, or (SQLite) with her record: the next score
    still comes after the last one, even when the clock is behind it."""
    graded, other = make_activity(), make_activity(resource_link_id="rl-2")
    act(graded, make_user(graded, SUB, NAME), "submit_deliverable", {"values": CARD})
    ScoreOutbox.objects.update(status=ScoreOutbox.Status.DELIVERED)
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    again = make_user(graded, SUB, NAME)
    act(other, again, "submit_deliverable", {"values": CARD})  # not graded there: it goes
    (first,) = ScoreOutbox.objects.filter(user=again)
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).replace(microsecond=123000)
    first.payload = {**first.payload, "timestamp": format_time(ahead)}
    first.save()
    act(other, again, "commit_experiment", {"values": COMMITMENT})
    second = ScoreOutbox.objects.filter(user=again).latest("pk").payload
    assert second["activityProgress"] == "Submitted"
    assert dt.datetime.fromisoformat(second["timestamp"]) == ahead + dt.timedelta(milliseconds=1)
    act(graded, again, "submit_deliverable", {"values": CARD})  # graded there: held back
    assert not ScoreOutbox.objects.filter(user=again, activity=graded).exists()


def test_a_learner_erased_on_request_gets_partial_scores_where_none_had_been_sent(
    database, tmp_path
):
    """Only where a score reached her gradebook is there a grade to keep: elsewhere (an
    activity she had not been graded in, or one first opened after the erasure) her
    partial scores go as anyone's."""
    graded = make_activity()
    ungraded = make_activity(resource_link_id="rl-2")
    ana = make_user(graded, SUB, NAME)
    act(graded, ana, "submit_deliverable", {"values": CARD})
    act(ungraded, ana, "submit_deliverable", {"values": CARD})
    ScoreOutbox.objects.filter(activity=graded).update(status=ScoreOutbox.Status.DELIVERED)
    erase_learner(ISSUER, SUB, by="dpo", now=NOW)
    (audit,) = LearnerErasure.objects.all()
    assert audit.graded_activities == [graded.pk]
    later = make_activity(resource_link_id="rl-3")
    again = make_user(graded, SUB, NAME)  # she launches again: a new account
    for activity in (graded, ungraded, later):
        act(activity, again, "submit_deliverable", {"values": CARD})
    sent = ScoreOutbox.objects.filter(user=again).values_list("activity_id", flat=True)
    assert sorted(sent) == sorted([ungraded.pk, later.pk])
