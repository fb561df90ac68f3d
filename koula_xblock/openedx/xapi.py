"""The xAPI transformers of Koula's tracking events, for Open edX's event-routing backends.

Registered on import (by :class:`~koula_xblock.openedx.apps.KoulaOpenedxConfig`) in the
backends' registry, one per event of :data:`koula_xblock.tracking.XAPI_TRACKING_EVENTS`.
A statement is the platform's where the platform speaks and Koula's where Koula does:

* the backends' base transformer gives the statement id, the actor (the platform's
  anonymous xAPI id, or the e-mail the operator chose with ``XAPI_AGENT_IFI_TYPE``), the
  timestamp, the course (``context.contextActivities.parent``, with its name) and the
  session and transformer-version extensions, as in every other statement of the platform;
* the core (:func:`koula.xapi_statement`, as the LTI tool sends it) gives the verb, the
  object (the block: ``{LMS_ROOT_URL}/xblock/{usage key}``, a meeting, named in English
  and French), the result, the series (``grouping``), the language and Koula's
  extensions. Koula's own verb and extension IRIs sit under ``KOULA_XAPI_IRI_BASE``
  (default ``{LMS_ROOT_URL}/koula/xapi``; set it to the LTI tool's ``{BASE_URL}/xapi`` to
  get the very same IRIs from both).

The object, verb and result go through the backends' openedx-filters hooks, as theirs do.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.conf import settings
from event_routing_backends.processors.openedx_filters.decorators import openedx_filter
from event_routing_backends.processors.xapi.registry import XApiTransformersRegistry
from event_routing_backends.processors.xapi.transformer import XApiTransformer
from tincan import (
    Activity,
    ActivityList,
    Context,
    ContextActivities,
    Extensions,
    Result,
    Verb,
)

from koula import XapiActor, XapiEvent, XapiPlace, xapi_namespace, xapi_statement
from koula_xblock.tracking import XAPI_TRACKING_EVENTS

__all__ = ["KoulaXApiTransformer", "iri_base"]

FILTER = "koula_xblock.openedx.xapi.koula_transformer"


def iri_base() -> str:
    """Return the base of Koula's own verb and extension IRIs (see the module docstring)."""
    configured = str(getattr(settings, "KOULA_XAPI_IRI_BASE", "") or "")
    return (configured or f"{settings.LMS_ROOT_URL}/koula/xapi").rstrip("/")


class KoulaXApiTransformer(XApiTransformer):
    """The statement of one ``edx.koula.<verb>`` tracking event."""

    additional_fields = ("result",)

    def koula_statement(self) -> dict[str, Any]:
        """Return the core's statement of the event (its actor and id are not used: the
        platform's base transformer gives its own)."""
        cached: dict[str, Any] | None = getattr(self, "_koula", None)
        if cached is None:
            base = iri_base()
            course_id = self.get_data("context.course_id")
            place = XapiPlace(
                iri_base=base,
                activity=self.get_object_iri("xblock", self.get_data("data.usage_key", True)),
                names=self.get_data("data.names") or {},
                series=f"{base}/series/{quote(course_id, safe='')}" if course_id else "",
                platform=str(settings.LMS_ROOT_URL),
            )
            event = XapiEvent(
                XAPI_TRACKING_EVENTS[self.get_data("name", True)],
                _moment(self.get_timestamp()),
                key=str(self.get_data("data.key") or ""),
                result=self.get_data("data.result") or {},
                extensions=self.get_data("data.extensions") or {},
                language=str(self.get_data("data.language") or ""),
            )
            actor = XapiActor(str(settings.LMS_ROOT_URL), "")
            namespace = xapi_namespace(str(settings.LMS_ROOT_URL))
            cached = xapi_statement(event, actor=actor, place=place, namespace=namespace)
            self._koula = cached
        return cached

    @property
    def _verb(self) -> Verb:  # read by the base's get_verb, which runs the verb filter
        return Verb(self.koula_statement()["verb"])

    @openedx_filter(filter_type=f"{FILTER}.get_object")
    def get_object(self) -> Activity:
        return Activity(self.koula_statement()["object"])

    @openedx_filter(filter_type=f"{FILTER}.get_result")
    def get_result(self) -> Result | None:
        result = self.koula_statement().get("result")
        return Result(result) if result else None

    def get_context(self) -> Context:
        """Return the platform's context with Koula's series, language, platform and
        extensions added."""
        context: Context = super().get_context()
        koula = self.koula_statement()["context"]
        grouping = koula.get("contextActivities", {}).get("grouping")
        if grouping:
            activities = context.context_activities or ContextActivities()
            activities.grouping = ActivityList([Activity(a) for a in grouping])
            context.context_activities = activities
        if koula.get("language"):
            context.language = koula["language"]
        context.platform = koula.get("platform")
        extensions = dict(context.extensions or {})
        extensions.update(koula.get("extensions", {}))
        context.extensions = Extensions(extensions)
        return context


def _moment(timestamp: Any) -> dt.datetime:
    if isinstance(timestamp, dt.datetime):
        moment = timestamp
    else:
        try:
            moment = dt.datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
        except ValueError:
            moment = dt.datetime.now(dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


for _name in XAPI_TRACKING_EVENTS:
    XApiTransformersRegistry.register(_name)(KoulaXApiTransformer)
