"""Django in the test process, for the LTI tool's in-process tests (pytest-django).

The tests under ``tests/lti/services/``, ``tests/lti/selectors/`` and ``tests/lti/views/``
import the tool's modules and call them directly; their ``conftest.py`` calls
:func:`configure` and takes the fixtures below. Django is configured from the tool's own
settings (:mod:`lti.settings`, read under the environment of :data:`ENVIRONMENT`, with a
throwaway data folder), through ``settings.configure``: nothing is written to
``os.environ``, so the ``koula serve`` processes of the end-to-end tests never see these
settings. pytest-django gives each test marked ``django_db`` an SQLite database in memory
(migrated once per run) and empties it after the test.

The rules about PostgreSQL's row locks run on a fresh PostgreSQL database
(:func:`on_postgres`), skipped when there is none (failing under ``KOULA_REQUIRE_E2E=1``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from typing import Any
from unittest import mock

import django
import pytest
from django.conf import settings

from koula_demo.tool_process import POSTGRES_URL, postgres_available
from tests.conftest import need_real_component

ENVIRONMENT = {
    "KOULA_BASE_URL": "https://koula.example.test",
    "KOULA_SECRET_KEY": "in-process-tests-only",
    "KOULA_DATABASE_URL": "",  # SQLite (in memory under pytest-django)
    "KOULA_REDIS_URL": "",  # caches in the process
    "KOULA_WORKER": "thread",
    "KOULA_HTTP_TIMEOUT": "2",
    "KOULA_RETRY_BASE_SECONDS": "2",
    "KOULA_LOG_FORMAT": "text",
}
ISSUER = "https://lms.example.test"
CLIENT_ID, DEPLOYMENT_ID = "koula-client", "deployment-1"


def configure() -> None:
    """Configure Django with the tool's settings, once per test process."""
    if settings.configured:
        return
    data = tempfile.mkdtemp(prefix="koula-in-process-")
    with mock.patch.dict(os.environ, {**ENVIRONMENT, "KOULA_DATA_DIR": data}):
        tool = importlib.import_module("lti.settings")
    settings.configure(**{name: getattr(tool, name) for name in dir(tool) if name.isupper()})
    django.setup()


@pytest.fixture
def tool_keys(db: None) -> None:
    """The tool's signing keys, made once per run (an RSA key takes a while to make)."""
    from lti.models import ToolKey

    for kid, pem, active in _keys():
        ToolKey.objects.create(
            kid=kid, private_pem=pem, activated_at=dt.datetime.now(dt.UTC) if active else None
        )


_made: list[tuple[str, str, bool]] = []


def _keys() -> list[tuple[str, str, bool]]:
    if not _made:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        for active in (True, False):
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode()
            _made.append((secrets.token_hex(8), pem, active))
    return _made


@pytest.fixture(autouse=True)
def _empty_caches() -> Iterator[None]:
    """Each test starts with empty caches (access tokens, rosters, platform keys)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_activity(
    *,
    resource_link_id: str = "rl-1",
    template: str | None = "default-koula",
    lineitem_url: str = f"{ISSUER}/lineitems/1",
    scopes: tuple[str, ...] = ("score", "result.readonly"),
    **fields: Any,
) -> Any:
    """An activity of a registered platform (configured with ``template`` unless None)."""
    from lti.models import Activity, Deployment, Registration

    registration, _ = Registration.objects.get_or_create(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        defaults={
            "auth_login_url": f"{ISSUER}/auth",
            "auth_token_url": f"{ISSUER}/token",
            "keyset_url": f"{ISSUER}/jwks",
        },
    )
    deployment, _ = Deployment.objects.get_or_create(
        registration=registration, deployment_id=DEPLOYMENT_ID
    )
    prefix = "https://purl.imsglobal.org/spec/lti-ags/scope/"
    return Activity.objects.create(
        deployment=deployment,
        resource_link_id=resource_link_id,
        title="Pair review",
        settings={"template_id": template} if template else {},
        configured=template is not None,
        lineitem_url=lineitem_url,
        ags_scopes=[prefix + scope for scope in scopes],
        **fields,
    )


def make_user(activity: Any, sub: str, name: str = "") -> Any:
    """A person of ``activity``'s platform."""
    from lti.models import LtiUser

    return LtiUser.objects.create(
        registration_id=activity.deployment.registration_id, sub=sub, name=name
    )


def grant_for(activity: Any, user: Any, language: str = "en") -> Any:
    """The access a learner page of ``activity`` gives ``user``."""
    from lti.bearer import Grant

    return Grant(user.pk, activity.deployment_id, activity.pk, language)


def committed(activity: Any, user: Any) -> dt.date:
    """``user`` submits a practice card and commits to an experiment in ``activity``, through
    the learner actions; return the experiment's due date."""
    from koula_demo.learner_calls import CARD, COMMITMENT
    from lti.models import LearnerRecord
    from lti.services.learner import run_action

    grant = grant_for(activity, user)
    run_action(grant, activity.pk, "submit_deliverable", {"values": CARD})
    run_action(grant, activity.pk, "commit_experiment", {"values": COMMITMENT})
    state = LearnerRecord.objects.get(activity=activity, user=user).state
    return dt.date.fromisoformat(state["commitment"]["due_on"])


def on_postgres() -> Iterator[None]:
    """Point Django's default database at a fresh, migrated PostgreSQL database meanwhile.

    Threads started meanwhile connect there too (each closes its connection when done).
    """
    need_real_component(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    import psycopg
    from django.core.management import call_command
    from django.db import connections
    from django.db.utils import ConnectionHandler

    name = f"koula_in_process_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    import dj_database_url

    postgres = ConnectionHandler({"default": dj_database_url.parse(url)}).settings["default"]
    saved = connections.settings["default"]
    _switch(connections, postgres)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        _switch(connections, saved)
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _switch(connections: Any, database: dict[str, Any]) -> None:
    from lti.services.raw_rows import forget_database

    connections["default"].close()
    del connections["default"]
    forget_database()
    connections.settings["default"] = database
