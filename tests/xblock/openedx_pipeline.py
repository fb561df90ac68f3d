"""Tracking events through Open edX's event-routing backends, as the LMS routes them.

Run as ``python -m tests.xblock.openedx_pipeline`` (a process of its own: Django is set up
here with the backends' settings, which no other test process may share). It reads JSON
on stdin: ``{"order": "backends-first" | "koula-first", "events": [...]}``, each event the
block's published ``name`` and ``data`` with the learner's ``user_id``, ``username``, the
``course_id``, ``usage_key`` and ``display_name``. It writes JSON on stdout:
``{"statements": [...], "allow_lists": {...}}``.

* Settings: the backends' own ``plugin_settings`` and Koula's app's, in the given order
  (plugins' settings run in no fixed order in the LMS), then Django with both apps, whose
  ``ready`` registers the transformers.
* Each event is emitted by eventtracking's ``Tracker`` inside the contexts the LMS enters
  around an XBlock handler's ``publish`` (the request's, ``module_callback_handler``'s, the
  course's and ``server_track``'s), then crosses the ``event_transformer`` backend the
  settings built: its allow-list, then its ``xapi`` backend's processors (allow-list and
  ``XApiProcessor``) run by the backends' own router. What the router would deliver to the
  LRS (a Celery task and the operator's router configuration) is collected instead.
* Two lookups need the LMS's database, which does not exist here, and have stand-ins: the
  learner's xAPI anonymous id (``ExternalId``: a UUID 5 of the user id) and the course's
  name (``CourseOverview``).
"""

from __future__ import annotations

import json
import sys
import uuid
from types import SimpleNamespace
from typing import Any

LMS_ROOT_URL = "https://lms.example.test"
COURSE_NAME = "Communities of practice"


def configure(order: str) -> dict[str, Any]:
    import django
    from django.conf import settings
    from event_routing_backends.settings import common as backends

    from koula_xblock.openedx import settings as koula

    plugin = SimpleNamespace(LMS_ROOT_URL=LMS_ROOT_URL)
    steps = [backends.plugin_settings, koula.plugin_settings]
    for step in steps if order == "backends-first" else reversed(steps):
        step(plugin)
    settings.configure(
        SECRET_KEY="openedx-pipeline-tests-only",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "event_routing_backends",
            "koula_xblock.openedx",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        USE_TZ=True,
        **vars(plugin),
    )
    django.setup()
    return vars(plugin)


def stand_ins() -> None:
    """The LMS lookups (see the module docstring), where the transformer reads them."""
    from event_routing_backends.processors.xapi import transformer

    def anonymous_id(user: Any, kind: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{LMS_ROOT_URL}/user/{user}/{kind}"))

    transformer.get_anonymous_user_id = anonymous_id
    transformer.get_course_from_id = lambda course_id: {"display_name": COURSE_NAME}


def instantiate(config: dict[str, Any]) -> Any:
    from django.utils.module_loading import import_string

    return import_string(config["ENGINE"])(**config.get("OPTIONS", {}))


class Delivered:
    """The ``xapi`` backend: the backends' router processes each event (its allow-list and
    ``XApiProcessor``); what it would hand to the LRS is kept in ``statements``."""

    def __init__(self, processors: list[dict[str, Any]]) -> None:
        from event_routing_backends.backends.events_router import EventsRouter

        self.router = EventsRouter(
            processors=[instantiate(p) for p in processors], backend_name="xapi"
        )
        self.statements: list[dict[str, Any]] = []

    def send(self, event: dict[str, Any]) -> None:
        from eventtracking.backends.logger import DateTimeJSONEncoder

        # the async backend hands the event to Celery as JSON: timestamps become text
        event = json.loads(json.dumps(event, cls=DateTimeJSONEncoder))
        self.statements.extend(self.router.process_event(event))


def tracker_of(configured: dict[str, Any]) -> tuple[Any, Delivered]:
    from eventtracking.backends.routing import RoutingBackend
    from eventtracking.tracker import Tracker

    options = configured["EVENT_TRACKING_BACKENDS"]["event_transformer"]["OPTIONS"]
    delivered = Delivered(options["backends"]["xapi"]["OPTIONS"]["processors"])
    transformer = RoutingBackend(
        backends={"xapi": delivered},
        processors=[instantiate(p) for p in options["processors"]],
    )
    return Tracker(backends={"event_transformer": transformer}), delivered


def emit(tracker: Any, event: dict[str, Any]) -> None:
    """Emit ``event`` as the LMS does from an XBlock handler's ``runtime.publish``."""
    course_id, user_id = event["course_id"], event["user_id"]
    contexts = {
        "edx.request": {
            "session": "0123456789abcdef0123456789abcdef",
            "user_id": user_id,
            "username": event["username"],
            "ip": "192.0.2.1",
            "host": "lms.example.test",
            "agent": "pytest",
            "path": f"/courses/{course_id}/xblock/{event['usage_key']}/handler/act",
            "course_id": course_id,
            "org_id": course_id.split(":")[1].split("+")[0],
        },
        "module_callback_handler": {
            "module": {"display_name": event["display_name"], "usage_key": event["usage_key"]}
        },
        event["name"]: {"course_id": course_id, "user_id": user_id, "asides": {}},
        "edx.course.server": {
            "username": event["username"],
            "event_source": "server",
            "page": "x_module",
        },
    }
    for name, context in contexts.items():
        tracker.enter_context(name, context)
    try:
        tracker.emit(event["name"], event["data"])
    finally:
        for name in contexts:
            tracker.exit_context(name)


def main() -> None:
    request = json.load(sys.stdin)
    configured = configure(request["order"])
    stand_ins()
    tracker, delivered = tracker_of(configured)
    for event in request["events"]:
        emit(tracker, event)
    options = configured["EVENT_TRACKING_BACKENDS"]["event_transformer"]["OPTIONS"]
    xapi = options["backends"]["xapi"]["OPTIONS"]
    allow_lists = {
        "allowed_xapi_events": list(configured["EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS"]),
        "event_transformer": sorted(options["processors"][0]["OPTIONS"]["whitelist"]),
        "xapi": sorted(xapi["processors"][0]["OPTIONS"]["whitelist"]),
        "event_bus": sorted(configured["EVENT_BUS_TRACKING_LOGS"]),
    }
    json.dump({"statements": delivered.statements, "allow_lists": allow_lists}, sys.stdout)


if __name__ == "__main__":
    main()
