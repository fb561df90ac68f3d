"""The block's xAPI-ready tracking events: one ``edx.koula.<verb>`` event per core xAPI event.

After an accepted learner action (and a learner's hand-over), the block publishes, besides
``edx.koula.learner_action``, one tracking event per event of the core
(:func:`koula.action_events`, :func:`koula.hand_over_event`), named after its verb
(:data:`XAPI_TRACKING_EVENTS`: ``committed`` is ``edx.koula.committed``). Its data holds
what the statement needs and the platform's tracking context lacks: the verb, the
block's usage key and names (:func:`block_names`), the event's key, result and
extensions (short names, as the core gives them) and the learner's language. The
learner, the course and the time come from the platform's own tracking context. Open
edX's event-routing backends turn these events into the same statements as the LTI tool
sends (:mod:`koula_xblock.openedx.xapi`, ``docs/xapi.md``). No learner's text ever goes
in: the return's "what happened" answer stays out of the tracking log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from koula import XAPI_VERBS, SessionTemplate, XapiEvent, xapi_names
from koula_xblock.records import usage_text

__all__ = ["PUBLISHED_VERBS", "XAPI_TRACKING_EVENTS", "publish_xapi_events", "tracking_data"]

PREFIX = "edx.koula."
PUBLISHED_VERBS = tuple(verb for verb in XAPI_VERBS if verb != "launched")
"""The verbs the block sends: every verb of the core but ``launched`` (opening a unit is
the platform's own navigation event, which event-routing turns into xAPI already)."""
XAPI_TRACKING_EVENTS: Mapping[str, str] = {
    PREFIX + verb.replace("-", "_"): verb for verb in PUBLISHED_VERBS
}
"""Tracking event name -> core verb key (``edx.koula.will_use`` -> ``will-use``)."""
EVENT_OF = {verb: name for name, verb in XAPI_TRACKING_EVENTS.items()}


def block_names(block: Any, template: SessionTemplate | None, language: str) -> dict[str, str]:
    """Return the block's name by language (:func:`koula.xapi.xapi_names`): the
    template's titles when the display name is empty or one of them, else the display name
    in ``language`` only (the learner's)."""
    shown = str(getattr(block, "display_name", "") or "")
    titles = template.title.by_language if template is not None else {}
    return xapi_names(shown, titles, language)


def tracking_data(event: XapiEvent, *, usage_key: str, names: Mapping[str, str]) -> dict[str, Any]:
    """Return the data of ``event``'s tracking event (see the module docstring)."""
    data: dict[str, Any] = {"verb": event.verb, "usage_key": usage_key, "names": dict(names)}
    if event.key:
        data["key"] = event.key
    if event.result:
        data["result"] = dict(event.result)
    if event.extensions:
        data["extensions"] = dict(event.extensions)
    if event.language:
        data["language"] = event.language
    return data


def publish_xapi_events(
    block: Any, events: Iterable[XapiEvent], template: SessionTemplate | None
) -> None:
    """Publish one ``edx.koula.<verb>`` tracking event per event the block sends."""
    events = [event for event in events if event.verb in EVENT_OF]
    if not events:
        return
    usage_key = usage_text(block.scope_ids.usage_id)
    for event in events:
        names = block_names(block, template, event.language)
        data = tracking_data(event, usage_key=usage_key, names=names)
        block.runtime.publish(block, EVENT_OF[event.verb], data)
