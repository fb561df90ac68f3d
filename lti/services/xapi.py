"""Learners' xAPI statements queued in the outbox, in the transaction of what they record.

Only when ``KOULA_XAPI_URL`` is set (``docs/xapi.md``): otherwise every function here
returns at once and writes nothing. The statements are the core's (:mod:`koula.xapi`):
the actor is the learner's platform account (the registration's issuer and the LTI
``sub``; their e-mail instead only with ``KOULA_XAPI_ACTOR_EMAIL=1``), the object the
activity (``{BASE_URL}/xapi/activities/<id>``), the context its course, its series and
the platform. A row's ``statement_id`` is unique and derived from the event, so queueing
the same event again writes nothing (:func:`queue_events`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from koula import (
    LearnerState,
    SessionTemplate,
    XapiActor,
    XapiEvent,
    XapiPlace,
    action_events,
    hand_over_event,
    launch_event,
    xapi_names,
    xapi_namespace,
    xapi_statement,
)
from lti.models import Activity, LtiUser, Registration, StatementOutbox
from lti.services.activities import template_of
from lti.wakeup import wake_workers

__all__ = [
    "TEXT_SETTING",
    "activity_iri",
    "platform_of",
    "queue_action_statements",
    "queue_events",
    "queue_hand_over",
    "queue_launch",
    "xapi_enabled",
    "xapi_place",
]

TEXT_SETTING = "xapi_text"
"""The activity setting (the link's ``koula_xapi_text=1``) that lets a return's text go."""


def xapi_enabled() -> bool:
    """Return True when an LRS is configured (``KOULA_XAPI_URL``)."""
    return bool(settings.KOULA_XAPI_URL)


def iri_base() -> str:
    return f"{settings.BASE_URL}/xapi"


def activity_iri(activity: Activity) -> str:
    """Return the activity's stable IRI (the object of its statements)."""
    return f"{iri_base()}/activities/{activity.pk}"


def platform_of(activity: Activity) -> str:
    """Return the issuer of ``activity``'s platform (one query, or none when loaded)."""
    if Activity.deployment.is_cached(activity):  # type: ignore[attr-defined]
        return activity.deployment.registration.issuer
    found = Registration.objects.filter(deployments=activity.deployment_id)
    return str(found.values_list("issuer", flat=True).get())


def xapi_place(
    activity: Activity,
    template: SessionTemplate | None = None,
    *,
    platform: str | None = None,
    language: str = "",
) -> XapiPlace:
    """Return where the statements of ``activity`` happen: the activity (named by
    :func:`koula.xapi.xapi_names`: the link's title in ``language``, the launch's, or the
    template's titles), its course and series (a deployment's context), and the platform
    (its issuer)."""
    template = template or template_of(activity)
    titles = template.title.by_language if template else {}
    names = xapi_names(activity.title or "", titles, language)
    course = series = ""
    if activity.context_id:
        where = f"{activity.deployment_id}/{quote(activity.context_id, safe='')}"
        course, series = f"{iri_base()}/courses/{where}", f"{iri_base()}/series/{where}"
    return XapiPlace(
        iri_base=iri_base(),
        activity=activity_iri(activity),
        names=names,
        course=course,
        series=series,
        platform=platform or platform_of(activity),
    )


def queue_events(
    activity: Activity,
    user: LtiUser,
    events: Iterable[XapiEvent],
    *,
    template: SessionTemplate | None = None,
) -> int:
    """Queue the statements of ``events`` (call inside the transaction that recorded them);
    return how many were queued (an event already queued stays one row: its statement id is
    unique)."""
    events = tuple(events)
    if not events or not xapi_enabled():
        return 0
    issuer = platform_of(activity)
    language = next((event.language for event in events if event.language), user.language)
    place = xapi_place(activity, template, platform=issuer, language=language)
    email = user.email if settings.KOULA_XAPI_ACTOR_EMAIL else ""
    actor = XapiActor(issuer, user.sub, email=email)
    namespace = xapi_namespace(settings.BASE_URL)
    now = timezone.now()
    rows = []
    for event in events:
        statement = xapi_statement(event, actor=actor, place=place, namespace=namespace)
        rows.append(
            StatementOutbox(
                activity=activity,
                user=user,
                statement_id=uuid.UUID(statement["id"]),
                verb=event.verb,
                statement=statement,
                next_attempt_at=now,
            )
        )
    StatementOutbox.objects.bulk_create(rows, ignore_conflicts=True)
    if settings.KOULA_WORKER == "celery":  # bulk_create sends no post_save
        transaction.on_commit(wake_workers)
    return len(rows)


def queue_action_statements(
    activity: Activity,
    user: LtiUser,
    action: str,
    before: dict[str, object],
    after: dict[str, object],
    *,
    template: SessionTemplate,
    at: dt.datetime,
    language: str,
) -> int:
    """Queue the statements of an accepted learner action (stored states ``before`` and
    ``after``); return how many were queued."""
    if not xapi_enabled():
        return 0
    events = action_events(
        action,
        LearnerState.from_data(before),
        LearnerState.from_data(after),
        template=template,
        at=at,
        language=language,
        with_text=activity.settings.get(TEXT_SETTING) is True,
    )
    return queue_events(activity, user, events, template=template)


def queue_launch(activity: Activity, user: LtiUser, language: str) -> int:
    """Queue the statement of a learner opening ``activity``."""
    if not xapi_enabled():
        return 0
    return queue_events(activity, user, [launch_event(dt.datetime.now(dt.UTC), language=language)])


def queue_hand_over(activity: Activity, user: LtiUser, language: str) -> int:
    """Queue the statement of the learner hosting now handing the next session over."""
    if not xapi_enabled():
        return 0
    event = hand_over_event(dt.datetime.now(dt.UTC), language=language)
    return queue_events(activity, user, [event])
