"""Score delivery (lti/services/delivery.py) against a platform in the test process.

Each test queues a learner's score through a real action, runs delivery passes with the
fake platform as the transport, and reads the outbox row and what the platform stored.
Between passes, :func:`due_now` stands for the wait a retry would take.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.utils import timezone

from koula_demo.learner_calls import CARD, COMMITMENT
from lti.models import ScoreOutbox
from lti.services.delivery import MAX_SAME_SECOND_RETRIES, deliver_due, lease
from lti.services.learner import run_action
from tests.lti.in_process import ISSUER, grant_for, make_activity, make_user
from tests.lti.services.fake_platform import FakePlatform, Fault, WorkerDied

pytestmark = pytest.mark.django_db
Status = ScoreOutbox.Status


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


def submitted(activity, user, action="submit_deliverable", values=CARD, **body) -> ScoreOutbox:
    """The score row the learner's action queued."""
    run_action(grant_for(activity, user), activity.pk, action, {"values": values, **body})
    return ScoreOutbox.objects.filter(activity=activity, user=user).latest("pk")


def due_now() -> None:
    """Every pending score is due now: the retry's wait, or a dead worker's lease, passed."""
    ScoreOutbox.objects.filter(status=Status.PENDING).update(next_attempt_at=timezone.now())


def row(score: ScoreOutbox) -> ScoreOutbox:
    return ScoreOutbox.objects.get(pk=score.pk)


def test_a_2xx_delivers_the_score_as_ags_wants_it(platform, activity, ana):
    score = submitted(activity, ana)
    assert deliver_due(transport=platform) == 1
    assert row(score).status == Status.DELIVERED and row(score).delivered_at is not None
    (posted,) = platform.score_posts()
    assert posted.url == f"{ISSUER}/lineitems/1/scores"
    assert posted.headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
    assert posted.headers["Authorization"] == "Bearer token-1"
    assert posted.body == score.payload
    assert platform.scores == [score.payload]


def test_a_line_item_query_string_stays_after_the_scores_path(platform, ana):
    moodle = make_activity(
        resource_link_id="moodle", lineitem_url=f"{ISSUER}/lineitems/7?type_id=3"
    )
    submitted(moodle, make_user(moodle, "ben"))
    deliver_due(transport=platform)
    assert platform.score_posts()[0].url == f"{ISSUER}/lineitems/7/scores?type_id=3"


def test_only_the_newest_score_of_a_learner_is_sent(platform, activity, ana):
    older = submitted(activity, ana)
    newer = submitted(activity, ana, "commit_experiment", COMMITMENT)
    deliver_due(transport=platform)
    assert row(older).status == Status.SUPERSEDED
    assert row(newer).status == Status.DELIVERED
    assert [sent.body for sent in platform.score_posts()] == [newer.payload]


def test_a_401_drops_the_cached_token_and_the_score_goes_with_a_new_one(platform, activity, ana):
    score = submitted(activity, ana)
    platform.next_scores(Fault.answer(401))
    deliver_due(transport=platform)
    assert row(score).status == Status.PENDING and row(score).last_error.startswith("HTTP 401")
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED
    assert [sent.headers["Authorization"] for sent in platform.score_posts()] == [
        "Bearer token-1",
        "Bearer token-2",
    ]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_5xx_or_429_is_retried_later_with_backoff(platform, activity, ana, status):
    score = submitted(activity, ana)
    platform.next_scores(Fault.answer(status))
    before = timezone.now()
    deliver_due(transport=platform)
    waiting = row(score)
    assert waiting.status == Status.PENDING and waiting.last_error.startswith(f"HTTP {status}")
    assert waiting.next_attempt_at >= before + dt.timedelta(seconds=1)  # 2 s base, ±50 %
    assert not waiting.uncertain  # the platform answered: this attempt did not land
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED and row(score).attempts == 2


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_a_4xx_is_refused_for_staff_to_see_and_never_retried(platform, activity, ana, status):
    score = submitted(activity, ana)
    platform.next_scores(Fault.answer(status))
    deliver_due(transport=platform)
    assert row(score).status == Status.REFUSED
    assert row(score).last_error.startswith(f"HTTP {status}")
    due_now()
    assert deliver_due(transport=platform) == 0
    assert len(platform.score_posts()) == 1


def test_a_409_on_the_newest_score_sends_it_again_after_that_second(platform, activity, ana):
    score = submitted(activity, ana)
    platform.next_scores(Fault.answer(409))
    deliver_due(transport=platform)
    again = row(score)
    sent = dt.datetime.fromisoformat(score.payload["timestamp"])
    resent = dt.datetime.fromisoformat(again.payload["timestamp"])
    assert again.status == Status.PENDING and again.conflicts == 1
    assert resent >= sent.replace(microsecond=0) + dt.timedelta(seconds=1)
    assert again.next_attempt_at == resent  # sent as soon as that second has passed
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED
    assert platform.scores == [again.payload]


def test_a_409_on_a_score_replaced_meanwhile_is_done(platform, activity, ana):
    score = submitted(activity, ana)
    newer: list[ScoreOutbox] = []

    def a_newer_action_meanwhile(_body: dict) -> None:
        if not newer:
            newer.append(submitted(activity, ana, "commit_experiment", COMMITMENT))

    platform.on_score = a_newer_action_meanwhile
    platform.next_scores(Fault.answer(409))
    deliver_due(transport=platform)
    assert row(score).status == Status.SUPERSEDED
    assert row(score).last_error == "HTTP 409 on a score already replaced"
    assert row(newer[0]).status == Status.PENDING


def test_a_platform_keeping_a_newer_grade_ends_the_409_retries(platform, activity, ana):
    score = submitted(activity, ana)
    platform.next_scores(*[Fault.answer(409)] * (MAX_SAME_SECOND_RETRIES + 1))
    for _ in range(MAX_SAME_SECOND_RETRIES + 1):
        due_now()
        deliver_due(transport=platform)
    assert row(score).status == Status.REFUSED
    assert "keeps a newer grade" in row(score).last_error
    assert len(platform.score_posts()) == MAX_SAME_SECOND_RETRIES + 1


def test_a_timed_out_score_that_landed_is_delivered_without_a_second_post(platform, activity, ana):
    score = submitted(activity, ana)
    platform.next_scores(Fault.timeout(lands=True))
    deliver_due(transport=platform)
    assert row(score).uncertain and row(score).status == Status.PENDING
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED and not row(score).uncertain
    assert "earlier attempt had landed" in row(score).last_error
    assert len(platform.score_posts()) == 1 and platform.scores == [score.payload]
    assert len(platform.requests_to(r"/results$")) == 1


def test_a_timed_out_score_that_did_not_land_is_sent_again(platform, activity, ana):
    score = submitted(activity, ana)
    platform.next_scores(Fault.timeout(lands=False))
    deliver_due(transport=platform)
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED
    assert len(platform.score_posts()) == 2 and platform.scores == [score.payload]


def test_a_timed_out_score_landing_during_an_outage_arrives_once(platform, activity, ana):
    """The request hangs past the timeout, the retries meet 500s, and meanwhile the hung
    request lands: the score is in the gradebook once (found by benchmarks/faults.py)."""
    score = submitted(activity, ana)
    platform.next_scores(Fault.timeout(lands=False), Fault.answer(500))
    deliver_due(transport=platform)  # times out: uncertain
    due_now()
    deliver_due(transport=platform)  # not landed yet: sent again, 500
    assert row(score).uncertain  # the first request may still land
    platform.scores.append(score.payload)  # ... and now it has
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED
    assert len(platform.score_posts()) == 2 and platform.scores == [score.payload]


def test_the_newest_score_is_delivered_after_an_outage_and_a_one_second_conflict(
    platform, activity, ana
):
    """An older score's request hangs and lands; the newest meets 500s, then Moodle's 409
    for a grade of the same second: it is sent again after that second and ends in the
    gradebook (found by benchmarks/faults.py)."""
    older = submitted(activity, ana, "save_draft", {"problem": "Late"}, part="deliverable")
    platform.next_scores(Fault.timeout(lands=True))
    deliver_due(transport=platform)
    newest = submitted(activity, ana)
    # Five failures first: 409s are counted apart from them (a 409 after five failures
    # once marked the newest score refused).
    platform.next_scores(*[Fault.answer(500)] * MAX_SAME_SECOND_RETRIES, Fault.answer(409))
    for _ in range(MAX_SAME_SECOND_RETRIES + 2):
        due_now()
        deliver_due(transport=platform)
    assert row(older).status == Status.SUPERSEDED
    assert row(newest).status == Status.DELIVERED and row(newest).conflicts == 1
    assert platform.scores[-1]["activityProgress"] == "InProgress"
    assert platform.scores[-1]["timestamp"] > newest.payload["timestamp"]


def test_no_connection_in_time_sends_nothing_so_the_score_is_not_in_doubt(platform, activity, ana):
    score = submitted(activity, ana)
    platform.next_scores(Fault.connect_timeout())
    deliver_due(transport=platform)
    assert row(score).status == Status.PENDING and not row(score).uncertain
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED
    assert platform.requests_to(r"/results$") == []  # nothing to settle


def test_a_worker_dying_mid_request_leaves_a_score_the_next_worker_settles(platform, activity, ana):
    score = submitted(activity, ana)
    platform.next_scores(Fault.worker_dies(lands=True))
    with pytest.raises(WorkerDied):
        deliver_due(transport=platform)
    left = row(score)
    assert left.uncertain and left.status == Status.PENDING
    assert left.next_attempt_at > timezone.now()  # claimed: others wait for the lease
    assert deliver_due(transport=platform) == 0
    due_now()  # the lease ran out
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED
    assert len(platform.score_posts()) == 1 and platform.scores == [score.payload]


def test_an_unknown_fate_waits_while_the_results_service_cannot_answer(platform, activity, ana):
    score = submitted(activity, ana)
    platform.next_scores(Fault.timeout(lands=False))
    deliver_due(transport=platform)
    platform.results_answer = 503
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.PENDING and row(score).uncertain
    assert "waiting to learn whether an earlier attempt landed" in row(score).last_error
    assert len(platform.score_posts()) == 1  # not sent again while in doubt


def test_a_platform_without_the_results_scope_gets_an_uncertain_score_again(platform, ana):
    activity = make_activity(resource_link_id="no-results", scopes=("score",))
    score = submitted(activity, make_user(activity, "ben"))
    platform.next_scores(Fault.timeout(lands=True))
    deliver_due(transport=platform)
    due_now()
    deliver_due(transport=platform)
    assert row(score).status == Status.DELIVERED
    assert len(platform.score_posts()) == 2 and platform.requests_to(r"/results$") == []


def test_a_line_item_on_an_untrusted_origin_is_never_sent(platform, ana):
    activity = make_activity(
        resource_link_id="elsewhere", lineitem_url="https://intranet.example.test/lineitems/1"
    )
    score = submitted(activity, make_user(activity, "ben"))
    deliver_due(transport=platform)
    waiting = row(score)
    assert waiting.status == Status.PENDING and not waiting.uncertain
    assert "https://intranet.example.test/lineitems/1" in waiting.last_error
    assert platform.sent == []


def test_a_line_item_is_created_when_the_launch_gives_only_the_container(platform, ana):
    activity = make_activity(
        resource_link_id="container", lineitem_url="", lineitems_url=f"{ISSUER}/lineitems"
    )
    score = submitted(activity, make_user(activity, "ben"))
    deliver_due(transport=platform)
    (item,) = platform.line_items
    assert item["resourceLinkId"] == "container" and item["tag"] == "koula"
    activity.refresh_from_db()
    assert activity.lineitem_url == item["id"]
    assert platform.score_posts()[0].url == item["id"] + "/scores"
    assert row(score).status == Status.DELIVERED


def test_a_link_without_a_grade_service_refuses_its_scores(platform, ana):
    activity = make_activity(resource_link_id="no-grades", lineitem_url="")
    score = submitted(activity, make_user(activity, "ben"))
    deliver_due(transport=platform)
    assert row(score).status == Status.REFUSED
    assert row(score).last_error == "the platform offers no grade service for this link"


def test_a_row_another_worker_took_when_this_passs_lease_ran_out_is_not_sent(
    platform, activity, ana
):
    submitted(activity, ana)
    later = submitted(activity, make_user(activity, "ben"))

    def another_worker_takes_the_next_row(_body: dict) -> None:
        ScoreOutbox.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + lease())

    platform.on_score = another_worker_takes_the_next_row  # while Ana's score is sent
    deliver_due(transport=platform)
    assert [sent.body["userId"] for sent in platform.score_posts()] == ["ana"]
    assert row(later).status == Status.PENDING


def test_a_pass_that_outlives_its_lease_leaves_the_rows_another_worker_took(platform, activity):
    """Two workers: the first pass's lease on the rows it has not reached runs out while it
    sends its first score, and a second worker takes them; no score goes twice."""
    for sub in ("ana", "ben", "carla"):
        submitted(activity, make_user(activity, sub))
    second_worker_ran = []

    def the_lease_runs_out_and_a_second_worker_passes(body: dict) -> None:
        if not second_worker_ran:  # the rows not reached yet (a lease outlives one request)
            second_worker_ran.append(True)
            ScoreOutbox.objects.filter(status=Status.PENDING).exclude(
                user__sub=body["userId"]
            ).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
            assert deliver_due(transport=platform) == 2

    platform.on_score = the_lease_runs_out_and_a_second_worker_passes
    assert deliver_due(transport=platform) == 3
    sent = [posted.body["userId"] for posted in platform.score_posts()]
    assert sorted(sent) == ["ana", "ben", "carla"]  # each once
    assert set(ScoreOutbox.objects.values_list("status", flat=True)) == {Status.DELIVERED}


def test_a_stopping_pass_gives_the_scores_it_did_not_send_back_at_once(platform, activity, ana):
    first = submitted(activity, ana)
    second = submitted(activity, make_user(activity, "ben"))
    stop = threading.Event()
    platform.on_score = lambda _body: stop.set()  # asked to stop while the first is in flight
    assert deliver_due(stop=stop, transport=platform) == 2
    assert row(first).status == Status.DELIVERED
    given_back = row(second)
    assert given_back.status == Status.PENDING and given_back.attempts == 0
    assert given_back.next_attempt_at <= timezone.now()
