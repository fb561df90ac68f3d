"""What the LTI series benchmarks share: a throwaway PostgreSQL database and a course in it.

:func:`throwaway_database` creates a fresh database on the PostgreSQL server of
``KOULA_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``), configures
Django in this process from the tool's settings (:mod:`lti.settings`, read under the
controlled environment of :data:`ENVIRONMENT`, as the in-process tests do), migrates it,
and drops it at the end. The benchmark exits with status 1 and a message when the server
does not answer.

:func:`seed_course` stores one registration and deployment, configured activities of the
default Koula template in one context (the sessions, on the dates given), and ``learners``
learners (5% without an e-mail address, 2% unsubscribed from reminders, a third in
French), each with a state in every session. Each state is one of a few patterns per
session, built once with the core (:func:`koula.perform`, the actions a learner takes)
and then stored in bulk.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from koula_demo.learner_calls import CARD, COMMITMENT
from koula_demo.tool_process import POSTGRES_URL, postgres_available

__all__ = [
    "CARD",
    "COMMITMENT",
    "ENVIRONMENT",
    "Pattern",
    "Queries",
    "Step",
    "count_queries",
    "seed_course",
    "state_after",
    "throwaway_database",
]

ENVIRONMENT = {
    "KOULA_BASE_URL": "https://koula.example.test",
    "KOULA_SECRET_KEY": "benchmarks-only",
    "KOULA_REDIS_URL": "",  # caches in the process
    "KOULA_WORKER": "thread",
    "KOULA_HTTP_TIMEOUT": "2",
    "KOULA_LOG_FORMAT": "text",
}
BATCH = 2000
TEMPLATE = "default-koula"
Step = tuple[str, dict[str, Any], dt.datetime]
"""One learner action: its name, its body and when it was taken."""
Pattern = tuple[int, Callable[[dt.datetime], dict[str, Any]]]
"""A weight and what builds the stored state of a session held at the given time."""


@contextmanager
def throwaway_database(environment: dict[str, str] | None = None) -> Iterator[str]:
    """Configure Django on a fresh, migrated PostgreSQL database meanwhile; yield its name."""
    if not postgres_available():
        sys.exit(
            f"This benchmark needs PostgreSQL at {POSTGRES_URL} (set KOULA_TEST_POSTGRES to"
            " another server's URL): it does not answer."
        )
    import psycopg

    name = f"koula_lti_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with tempfile.TemporaryDirectory(prefix="koula-bench-") as folder:
            os.environ.update(
                ENVIRONMENT,
                KOULA_DATA_DIR=folder,
                KOULA_DATABASE_URL=POSTGRES_URL.rsplit("/", 1)[0] + "/" + name,
                **(environment or {}),
            )
            _configure()
            from django.core.management import call_command
            from django.db import connections

            try:
                call_command("migrate", verbosity=0, interactive=False)
                yield name
            finally:
                connections.close_all()
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _configure() -> None:
    import importlib

    import django
    from django.conf import settings

    tool = importlib.import_module("lti.settings")
    settings.configure(**{name: getattr(tool, name) for name in dir(tool) if name.isupper()})
    django.setup()


def state_after(steps: Sequence[Step]) -> dict[str, Any]:
    """Return the stored state after the learner's ``steps`` (action, body, when), in order."""
    from koula import get_template, perform

    template = get_template(TEMPLATE)
    stored: dict[str, Any] | None = None
    for action, body, when in steps:
        outcome = perform(action, body, template=template, stored=stored, now=when, language="en")
        assert outcome.status == 200, outcome.body
        stored = outcome.stored
    return stored or {}


def seed_course(
    session_times: Sequence[dt.datetime],
    learners: int,
    patterns: Sequence[Pattern],
    *,
    reminder_days: Callable[[int], int | None] = lambda number: None,
    seed: int = 7,
) -> Any:
    """Store the course described above, a session at each of ``session_times`` (the
    session numbered ``n`` from 0 sends its first reminder ``reminder_days(n)`` days before
    the due date; None: the default); return the first session's activity."""
    from django.db import connection

    from lti.models import Activity, Deployment, LearnerRecord, LtiUser, Registration

    registration = Registration.objects.create(
        issuer="https://lms.example.test",
        client_id="bench",
        auth_login_url="https://lms.example.test/auth",
        auth_token_url="https://lms.example.test/token",
        keyset_url="https://lms.example.test/jwks",
    )
    deployment = Deployment.objects.create(registration=registration, deployment_id="1")
    rng = random.Random(seed)
    users = LtiUser.objects.bulk_create(
        [
            LtiUser(
                registration=registration,
                sub=f"learner-{n:06d}",
                name=f"Learner {n}",
                email="" if rng.random() < 0.05 else f"learner-{n}@example.test",
                language="fr" if n % 3 == 0 else "en",
                unsubscribed_at=session_times[0] if rng.random() < 0.02 else None,
            )
            for n in range(learners)
        ],
        batch_size=BATCH,
    )
    weights = [weight for weight, _build in patterns]
    activities = []
    for number, at in enumerate(session_times):
        days = reminder_days(number)
        activity = Activity.objects.create(
            deployment=deployment,
            resource_link_id=f"session-{number + 1}",
            context_id="course-1",
            title=f"Session {number + 1}",
            settings={"template_id": TEMPLATE} | ({} if days is None else {"reminder_days": days}),
            configured=True,
            session_date=at.date(),
            created_at=at - dt.timedelta(days=7),
            course_url="https://lms.example.test/course/1",
        )
        activities.append(activity)
        states = [build(at) for _weight, build in patterns]
        chosen = rng.choices(range(len(states)), weights=weights, k=learners)
        LearnerRecord.objects.bulk_create(
            (
                LearnerRecord(activity=activity, user=user, state=states[pick])
                for user, pick in zip(users, chosen, strict=True)
            ),
            batch_size=BATCH,
        )
    with connection.cursor() as cursor:  # what autovacuum does within a minute of a bulk load
        cursor.execute("ANALYZE")
    return activities[0]


class Queries:
    """How many SQL queries ran on the default database (:func:`count_queries`)."""

    count = 0


@contextmanager
def count_queries() -> Iterator[Queries]:
    """Count the queries run meanwhile on the default database (keeping none of them)."""
    from django.db import connection

    queries = Queries()

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield queries
