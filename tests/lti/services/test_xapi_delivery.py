"""xAPI statements: queued with the action (lti/services/xapi.py), delivered in batches
(lti/services/xapi_delivery.py) to an LRS in the test process.

The LRS here stores statements by id as an LRS does (the same statement again is kept
once), and answers the faults each test gives it; the real LRS is in
tests/lti/test_xapi_lrs.py.
"""

from __future__ import annotations

import base64
import json
import threading

import pytest
import requests
from django.utils import timezone

from koula import InvalidValues
from koula_demo.learner_calls import CARD, COMMITMENT, RETURN
from lti.models import StatementOutbox
from lti.services.community import assign_host
from lti.services.learner import run_action
from lti.services.xapi_delivery import deliver_statements
from tests.lti.in_process import ISSUER, grant_for, make_user

pytestmark = pytest.mark.django_db
Status = StatementOutbox.Status
LRS = "https://lrs.example.org/xAPI"


class FakeLrs:
    """Stores POSTed statements by id; ``faults`` are the answers of the next POSTs."""

    def __init__(self) -> None:
        self.stored: dict[str, dict] = {}
        self.posts: list[list[dict]] = []
        self.faults: list[int | Exception] = []
        self.refuse: set[str] = set()  # verbs it answers 400 for

    def __call__(self, method, url, *, policy, headers=None, data=None, json=None, until=None):
        assert (method, url) == ("POST", f"{LRS}/statements")
        assert headers["X-Experience-API-Version"] == "1.0.3"
        assert headers["Authorization"] == "Basic " + base64.b64encode(b"key:secret").decode()
        assert "lrs.example.org" in policy.private_hosts
        self.posts.append(json)
        fault = self.faults.pop(0) if self.faults else None
        if isinstance(fault, Exception):
            raise fault
        if fault is not None:
            return answer(fault, {"detail": "fault"})
        if any(s["verb"]["id"].rsplit("/", 1)[-1] in self.refuse for s in json):
            return answer(400, {"detail": "refused"})
        for statement in json:
            self.stored.setdefault(statement["id"], statement)
        return answer(200, [s["id"] for s in json])


def answer(status: int, body) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


@pytest.fixture
def lrs(settings) -> FakeLrs:
    settings.KOULA_XAPI_URL = LRS
    settings.KOULA_XAPI_KEY, settings.KOULA_XAPI_SECRET = "key", "secret"
    settings.KOULA_XAPI_BATCH = 50
    return FakeLrs()


def loop(activity, user) -> None:
    for action, values in (
        ("submit_deliverable", CARD),
        ("commit_experiment", COMMITMENT),
        ("submit_return", RETURN),
    ):
        run_action(grant_for(activity, user), activity.pk, action, {"values": values})


def verbs() -> list[str]:
    return list(StatementOutbox.objects.order_by("pk").values_list("verb", flat=True))


def due_now() -> None:
    StatementOutbox.objects.filter(status=Status.PENDING).update(next_attempt_at=timezone.now())


def statuses() -> set[str]:
    return set(StatementOutbox.objects.values_list("status", flat=True))


def test_without_an_lrs_nothing_is_queued(activity, ana):
    loop(activity, ana)
    assert StatementOutbox.objects.count() == 0


def test_each_accepted_action_queues_its_statement_in_its_transaction(lrs, activity, ana):
    loop(activity, ana)
    with pytest.raises(InvalidValues):
        run_action(grant_for(activity, ana), activity.pk, "submit_return", {"values": {}})
    assert verbs() == ["submitted", "committed", "reported"]  # the refused one queued none
    statement = StatementOutbox.objects.get(verb="reported").statement
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": ISSUER, "name": "ana"},
    }


def test_a_draft_queues_nothing(lrs, activity, ana):
    body = {"part": "deliverable", "values": {"practice_name": "Pair"}}
    run_action(grant_for(activity, ana), activity.pk, "save_draft", body)
    assert verbs() == []


def test_the_email_is_the_actor_only_when_the_operator_opts_in(lrs, settings, activity, ana):
    ana.email = "ana@example.org"
    ana.save()
    run_action(grant_for(activity, ana), activity.pk, "volunteer_host", {"volunteer": True})
    settings.KOULA_XAPI_ACTOR_EMAIL = True
    run_action(grant_for(activity, ana), activity.pk, "volunteer_host", {"volunteer": False})
    actors = [row.statement["actor"] for row in StatementOutbox.objects.order_by("pk")]
    assert "account" in actors[0] and "mbox" not in actors[0]
    assert actors[1] == {"objectType": "Agent", "mbox": "mailto:ana@example.org"}


def test_the_return_text_goes_only_when_the_activity_allows_it(lrs, activity, ana):
    activity.settings = {**activity.settings, "xapi_text": True}
    activity.save()
    loop(activity, ana)
    result = StatementOutbox.objects.get(verb="reported").statement["result"]
    assert result["response"] == RETURN["what_happened"]


def test_a_batch_is_one_post_and_every_row_is_delivered(lrs, activity, ana):
    loop(activity, ana)
    assert deliver_statements(transport=lrs) == 3
    assert len(lrs.posts) == 1 and len(lrs.posts[0]) == 3
    assert statuses() == {Status.DELIVERED}
    assert deliver_statements(transport=lrs) == 0


def test_batches_are_as_long_as_configured_oldest_first(lrs, settings, activity, ana):
    settings.KOULA_XAPI_BATCH = 2
    loop(activity, ana)
    while deliver_statements(transport=lrs):
        pass
    assert [len(post) for post in lrs.posts] == [2, 1]
    assert [s["verb"]["id"].rsplit("/", 1)[-1] for s in lrs.posts[0]] == ["submit", "committed"]


@pytest.mark.parametrize("fault", [500, 503, 429, 401, requests.ConnectionError("down")])
def test_an_outage_is_retried_later_and_the_same_statements_go_again(lrs, activity, ana, fault):
    loop(activity, ana)
    lrs.faults = [fault]
    assert deliver_statements(transport=lrs) == 3
    rows = StatementOutbox.objects.all()
    assert {row.status for row in rows} == {Status.PENDING}
    assert all(row.last_error and row.next_attempt_at > timezone.now() for row in rows)
    assert deliver_statements(transport=lrs) == 0  # not due yet: backoff
    due_now()
    deliver_statements(transport=lrs)
    assert statuses() == {Status.DELIVERED}
    assert lrs.posts[0] == lrs.posts[1]


def test_a_statement_sent_twice_is_one_statement_in_the_lrs(lrs, activity, ana):
    loop(activity, ana)
    deliver_statements(transport=lrs)
    StatementOutbox.objects.update(status=Status.PENDING, next_attempt_at=timezone.now())
    deliver_statements(transport=lrs)
    assert len(lrs.posts) == 2 and len(lrs.stored) == 3


def test_a_refused_batch_is_sent_one_by_one_and_only_the_refused_statement_stays_out(
    lrs, activity, ana
):
    lrs.refuse = {"committed"}
    loop(activity, ana)
    deliver_statements(transport=lrs)
    assert [len(post) for post in lrs.posts] == [3, 1, 1, 1]
    refused = StatementOutbox.objects.get(status=Status.REFUSED)
    assert refused.verb == "committed" and "HTTP 400" in refused.last_error
    assert StatementOutbox.objects.filter(status=Status.DELIVERED).count() == 2


def test_a_stopping_worker_gives_its_claim_back(lrs, activity, ana):
    loop(activity, ana)
    stop = threading.Event()
    stop.set()
    deliver_statements(transport=lrs, stop=stop)
    assert lrs.posts == []
    rows = StatementOutbox.objects.all()
    assert all(row.attempts == 0 and row.next_attempt_at <= timezone.now() for row in rows)


def test_the_learner_hosting_now_handing_over_queues_a_statement(lrs, activity, ana):
    bea = make_user(activity, "bea", "Bea")
    activity.host_turns = [{"name": "Ana", "learner_id": "ana", "at": "2026-12-01T10:00:00.000Z"}]
    activity.next_host = "Ana"
    activity.save()
    assign_host(grant_for(activity, ana), activity.pk, {"next_host": bea.name})
    assert verbs() == ["handed-over"]


def staff_block(activity, language="en") -> str:
    """The staff view's score-delivery tab, where the xAPI block shows."""
    from lti.views.staff import staff_view

    page = staff_view(activity, language, viewer=None).content.decode()
    return page.split('<section id="deliveries"', 1)[1].split("</section>\n<script", 1)[0]


def test_the_staff_block_shows_the_statements_by_status_and_the_refused_ones(lrs, activity, ana):
    lrs.refuse = {"committed"}
    loop(activity, ana)
    deliver_statements(transport=lrs)
    html = staff_block(activity)
    assert "Learning records (xAPI)" in html and "lrs.example.org" in html
    assert '<td data-status="delivered">2</td>' in html
    assert '<td data-status="refused">1</td>' in html
    assert "<td>Ana</td><td>committed</td><td>Refused by the learning record store</td>" in html
    assert "Traces d’apprentissage (xAPI)" in staff_block(activity, "fr")
    assert f"koula xapi retry --activity {activity.pk}" in html
    assert "data-xapi-misconfigured" not in html


def test_the_staff_block_shows_nothing_without_an_lrs(activity, ana):
    assert "xAPI" not in staff_block(activity)


def test_a_link_allows_the_return_text_with_its_custom_parameter():
    from lti.services.activities import settings_from_custom

    link = {"koula_template": "default-koula"}
    assert "xapi_text" not in settings_from_custom(link)
    assert settings_from_custom({**link, "koula_xapi_text": "1"})["xapi_text"] is True


def test_the_same_event_queued_twice_is_one_row(lrs, activity, ana):
    from koula import launch_event
    from lti.services.xapi import queue_events

    event = launch_event(timezone.now())
    queue_events(activity, ana, [event])
    queue_events(activity, ana, [event])
    assert verbs() == ["launched"]


@pytest.mark.parametrize("fault", [404, 405, 403])
def test_a_wrong_endpoint_keeps_every_statement_waiting_and_says_what_to_check(
    lrs, activity, ana, fault, caplog
):
    loop(activity, ana)
    lrs.faults = [fault]
    deliver_statements(transport=lrs)
    rows = StatementOutbox.objects.all()
    assert {row.status for row in rows} == {Status.PENDING}
    assert all(row.next_attempt_at > timezone.now() for row in rows)
    assert all("check KOULA_XAPI_URL" in row.last_error for row in rows)
    assert "check KOULA_XAPI_URL" in caplog.text
    html = staff_block(activity)
    assert "check KOULA_XAPI_URL" in html and "data-xapi-misconfigured" in html


def test_the_same_refusal_for_every_statement_alone_keeps_them_waiting(lrs, activity, ana):
    lrs.refuse = {"submit", "committed", "reported"}
    loop(activity, ana)
    deliver_statements(transport=lrs)
    assert [len(post) for post in lrs.posts] == [3, 1, 1, 1]
    assert statuses() == {Status.PENDING}


def test_refused_statements_go_back_in_the_queue_on_request(lrs, activity, ana):
    from lti.services.xapi_delivery import requeue_refused

    lrs.refuse = {"committed"}
    loop(activity, ana)
    deliver_statements(transport=lrs)
    lrs.refuse = set()
    assert requeue_refused(activity_id=activity.pk + 1) == 0
    assert requeue_refused(activity_id=activity.pk) == 1
    deliver_statements(transport=lrs)
    assert statuses() == {Status.DELIVERED}


def test_the_single_sends_end_with_the_lease_and_give_the_rest_back(
    lrs, settings, activity, ana, monkeypatch
):
    import lti.services.xapi_delivery as delivery

    lrs.refuse = {"committed"}
    loop(activity, ana)
    clock = [1000.0]
    monkeypatch.setattr(delivery.time, "monotonic", lambda: clock[0])

    def slow(method, url, **kw):
        clock[0] += settings.KOULA_HTTP_TIMEOUT + 3  # each request takes all its time
        return lrs(method, url, **kw)

    deliver_statements(transport=slow)
    assert [len(post) for post in lrs.posts] == [3, 1]
    assert StatementOutbox.objects.filter(status=Status.DELIVERED).count() == 1
    waiting = StatementOutbox.objects.filter(status=Status.PENDING)
    assert waiting.count() == 2 and all(row.attempts == 0 for row in waiting)


def object_names() -> dict[str, str]:
    return StatementOutbox.objects.get().statement["object"]["definition"]["name"]


def test_a_links_own_title_names_the_object_only_in_the_launch_language(lrs, activity, ana):
    from lti.services.xapi import queue_launch

    activity.title = "Atelier du lundi"
    activity.save()
    queue_launch(activity, ana, "fr")
    assert object_names() == {"fr": "Atelier du lundi"}


def test_a_link_titled_as_its_template_names_the_object_in_each_language(lrs, activity, ana):
    from lti.services.activities import template_of
    from lti.services.xapi import queue_launch

    titles = template_of(activity).title.by_language
    activity.title = titles["en"]
    activity.save()
    queue_launch(activity, ana, "fr")
    assert object_names() == {"en": titles["en"], "fr": titles["fr"]}
