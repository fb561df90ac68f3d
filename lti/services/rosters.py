"""The staff view's roster read: cached briefly, within a time budget, a few at a time.

The staff view counts who has not started from the platform's roster (NRPS). Reading it
is an outbound call made while a person waits, so it is bounded three ways:

* **cached** for ``KOULA_ROSTER_CACHE_SECONDS`` per registration and roster URL (a failure
  too, so a platform that does not answer slows one staff view, not every one);
* **a time budget** for the whole read (token and every page): ``BUDGET_TIMEOUTS`` times
  ``KOULA_HTTP_TIMEOUT``;
* **bounded concurrency**: at most ``KOULA_ROSTER_SLOTS`` reads at once per process; a
  staff view that finds none free shows the page without the roster count at once.

Only each member's ``user_id``, ``roles`` and ``name`` (when the platform gives it) are kept.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from lti.claims import audience_of
from lti.models import Activity, Registration
from lti.nrps import RosterUnavailable, roster
from lti.outbound import Transport, send

__all__ = ["BUDGET_TIMEOUTS", "activity_roster", "course_learners"]

log = logging.getLogger(__name__)

BUDGET_TIMEOUTS = 2
_UNAVAILABLE = "unavailable"
_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def activity_roster(
    activity: Activity, registration: Registration, *, transport: Transport = send
) -> list[dict[str, Any]] | None:
    """The members of ``activity``'s course (``user_id``, ``roles``, ``name`` of each), or None when
    the roster cannot be had now (none offered, refused, failed, or every slot busy); read
    through ``transport`` (the network unless a test gives one)."""
    if not activity.memberships_url:
        return None
    key = _cache_key(registration, activity.memberships_url)
    cached = cache.get(key)
    if cached is not None:
        return None if cached == _UNAVAILABLE else list(cached)
    slots = _roster_slots()
    if not slots.acquire(blocking=False):
        log.info("roster of activity %s not read: every roster slot is busy", activity.pk)
        return None
    try:
        until = time.monotonic() + BUDGET_TIMEOUTS * settings.KOULA_HTTP_TIMEOUT
        members = roster(registration, activity.memberships_url, until=until, transport=transport)
    except RosterUnavailable as exc:
        log.warning("roster of activity %s unavailable: %s", activity.pk, exc)
        cache.set(key, _UNAVAILABLE, settings.KOULA_ROSTER_CACHE_SECONDS)
        return None
    finally:
        slots.release()
    kept = [
        {"user_id": m.get("user_id"), "roles": m.get("roles", []), "name": m.get("name") or ""}
        for m in members
    ]
    cache.set(key, kept, settings.KOULA_ROSTER_CACHE_SECONDS)
    return kept


def course_learners(activity: Activity, *, transport: Transport = send) -> dict[str, str] | None:
    """The course's learners (members who would get the learner page: no staff role, and
    not a Mentor alone, such as a parent observing), platform user id: name ("" when the
    platform gives none), or None when the roster cannot be had now."""
    registration = Registration.objects.get(deployments=activity.deployment_id)
    members = activity_roster(activity, registration, transport=transport)
    if members is None:
        return None
    return {
        str(m.get("user_id")): str(m.get("name") or "")
        for m in members
        if audience_of([str(r) for r in m.get("roles", [])]) == "learner"
    }


def _cache_key(registration: Registration, url: str) -> str:
    raw = f"{registration.pk}\n{registration.updated_at.isoformat()}\n{url}"
    return "koula:roster:" + hashlib.sha256(raw.encode()).hexdigest()


def _roster_slots() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max(settings.KOULA_ROSTER_SLOTS, 1))
        return _slots
