"""The app's ``plugin_settings``: Koula's tracking events join the xAPI allow-list.

The event-routing backends pass an event to its xAPI transformer only when its name is
in ``EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS`` and in the allow-lists of the
``event_transformer`` backend they build from it. Plugins' settings run in no fixed
order, so this adds Koula's event names (:data:`koula_xblock.tracking.XAPI_TRACKING_EVENTS`)
to the list, and to those backends' allow-lists when they were already built; the event
bus's list (``EVENT_BUS_TRACKING_LOGS``) too. Adding twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from koula_xblock.tracking import XAPI_TRACKING_EVENTS

__all__ = ["allow_events", "plugin_settings"]

WHITELIST = "NameWhitelistProcessor"


def plugin_settings(settings: Any) -> None:
    """Let Koula's ``edx.koula.*`` events through to the xAPI transformers."""
    allow_events(settings, XAPI_TRACKING_EVENTS)


def allow_events(settings: Any, names: Iterable[str]) -> None:
    """Add ``names`` to every xAPI allow-list of ``settings`` (see the module docstring)."""
    names = list(names)
    allowed = getattr(settings, "EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS", None)
    if allowed is None:
        allowed = []
        settings.EVENT_TRACKING_BACKENDS_ALLOWED_XAPI_EVENTS = allowed
    _add(allowed, names)
    bus = getattr(settings, "EVENT_BUS_TRACKING_LOGS", None)
    if bus is not None:
        _add(bus, names)
    for whitelist in _xapi_whitelists(getattr(settings, "EVENT_TRACKING_BACKENDS", None)):
        _add(whitelist, names)


def _add(collection: Any, names: list[str]) -> None:
    if not isinstance(collection, list | set):
        return  # not a list the backends read (an operator's tuple): theirs to extend
    for name in names:
        if name in collection:
            continue
        if isinstance(collection, set):
            collection.add(name)
        else:
            collection.append(name)


def _xapi_whitelists(backends: Any) -> Iterator[Any]:
    """Yield the allow-lists an xAPI event crosses: the ``event_transformer`` backend's, then
    its ``xapi`` backend's (as event-routing-backends builds them)."""
    options = _get(backends, "event_transformer", "OPTIONS")
    xapi = _get(options, "backends", "xapi", "OPTIONS")
    for processors in (_get(options, "processors"), _get(xapi, "processors")):
        for processor in processors or ():
            engine = str(_get(processor, "ENGINE") or "")
            whitelist = _get(processor, "OPTIONS", "whitelist")
            if engine.endswith(WHITELIST) and whitelist is not None:
                yield whitelist


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
