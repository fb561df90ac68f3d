"""xAPI statements delivered per second by one worker of the LTI tool to a real LRS.

Starts Ralph's LRS on loopback (:mod:`koula_demo.lrs`, its file-system backend), configures
the tool in this process on a throwaway PostgreSQL database (:mod:`benchmarks.lti_database`)
with ``KOULA_XAPI_URL`` naming it, and queues N statements (default 5,000) through the
tool's own path (:func:`lti.services.xapi.queue_events`: launches of N/10 learners of one
activity, ten each). Then one worker, this process, runs delivery passes
(:func:`lti.services.xapi_delivery.deliver_statements`: one POST of ``--batch`` statements
each, through the outbound policy) until none is due, and prints the statements delivered
per second, then reads them back through the LRS's statements API to count them (each
once). With ``--batches 1,10,50`` it measures each batch size in turn, each on a fresh LRS.

It prints figures and asserts nothing.

    .venv/bin/python benchmarks/xapi_delivery.py [--statements 5000] [--batches 50]

Needs PostgreSQL (KOULA_TEST_POSTGRES) and Ralph (``ralph-malph[lrs]``, in the test extra).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.lti_database import throwaway_database
from koula_demo.lrs import RunningLrs, lrs_python
from koula_demo.tool_process import free_port

LEARNER_EVENTS = 10


def seed(statements: int) -> None:
    """Queue ``statements`` launch statements of one activity (ten per learner), on an
    empty outbox."""
    from koula import launch_event
    from lti.models import Activity, Deployment, LtiUser, Registration, StatementOutbox
    from lti.services.xapi import queue_events

    StatementOutbox.objects.all().delete()
    registration, _ = Registration.objects.get_or_create(
        issuer="https://lms.example.test",
        client_id="bench",
        defaults={
            "auth_login_url": "https://lms.example.test/auth",
            "auth_token_url": "https://lms.example.test/token",
            "keyset_url": "https://lms.example.test/jwks",
        },
    )
    deployment, _ = Deployment.objects.get_or_create(registration=registration, deployment_id="1")
    activity, _ = Activity.objects.get_or_create(
        deployment=deployment,
        resource_link_id="rl-1",
        defaults={"context_id": "course-1", "title": "Benchmark session", "configured": True},
    )
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    for number in range(0, statements, LEARNER_EVENTS):
        user, _ = LtiUser.objects.get_or_create(registration=registration, sub=f"learner-{number}")
        events = [
            launch_event(start + dt.timedelta(seconds=number + step))
            for step in range(min(LEARNER_EVENTS, statements - number))
        ]
        queue_events(activity, user, events)


def deliver_all() -> tuple[int, float]:
    """Run delivery passes until none is due; return the rows handled and the seconds."""
    from lti.services.xapi_delivery import deliver_statements

    handled, started = 0, time.perf_counter()
    while count := deliver_statements():
        handled += count
    return handled, time.perf_counter() - started


def measure(statements: int, batch: int) -> None:
    """Deliver ``statements`` in batches of ``batch`` to a fresh LRS; print the figures."""
    from django.conf import settings

    from lti.models import StatementOutbox

    with tempfile.TemporaryDirectory(prefix="koula-lrs-") as folder:
        lrs = RunningLrs(Path(folder), free_port())
        try:
            settings.KOULA_XAPI_URL = lrs.url
            settings.KOULA_XAPI_KEY, settings.KOULA_XAPI_SECRET = lrs.key, lrs.secret
            settings.KOULA_XAPI_BATCH = batch
            seed(statements)
            handled, seconds = deliver_all()
            delivered = StatementOutbox.objects.filter(status="delivered").count()
            stored = lrs.statements()
            unique = len({statement["id"] for statement in stored})
            print(
                f"batch {batch}: {delivered} of {statements} delivered in {seconds:.2f} s: "
                f"{delivered / seconds:.0f} statements/s by one worker "
                f"({-(-handled // batch)} POSTs); read back from the LRS: "
                f"{len(stored)} statements, {unique} ids"
            )
        finally:
            lrs.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=5000)
    parser.add_argument("--batches", default="50", help="batch sizes, comma-separated")
    args = parser.parse_args()
    if lrs_python() is None:
        sys.exit("This benchmark needs Ralph's LRS: pip install 'ralph-malph[lrs]==5.1.0'")
    # Django is set up once (with a placeholder LRS), each size then names its own LRS.
    placeholder = {"KOULA_XAPI_URL": "http://127.0.0.1:9/xAPI", "KOULA_XAPI_KEY": "k"}
    with throwaway_database({**placeholder, "KOULA_XAPI_SECRET": "s"}) as name:
        print(f"database {name}, {args.statements} statements")
        for batch in (int(size) for size in args.batches.split(",")):
            measure(args.statements, batch)


if __name__ == "__main__":
    main()
