"""The community's card library and the host hand-over in the LTI tool, over the core's port.

:class:`ActivityRecords` implements :class:`koula.use_cases.port.ActivityStore`
over the Django models, so the rules (who may hand over, matching a typed name
to a participant with Unicode case folding, "not set up", the card library)
are the core's, the same as the XBlock's (:mod:`koula.use_cases`). Cards are
known by public ids scoped by a keyed hash of the activity, so they name no
platform user id. The members a use case asks for are read with one query
(chunked): only those who share or marked a card for the card library, only
the volunteers for the host's page, names alone for a hand-over.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

import koula
from koula import Actor, Among, Community, Member, NotSetUp, Turn, turns_data, turns_from_data
from lti.bearer import Grant
from lti.models import Activity, LearnerRecord, LtiUser
from lti.services.activities import template_of
from lti.services.grants import granted_activity
from lti.services.records import learner_rows
from lti.services.staff_forms import form_activity
from lti.services.xapi import queue_hand_over

__all__ = [
    "ActivityRecords",
    "activity_volunteers",
    "assign_host",
    "assign_next_host",
    "card_scope",
    "community_of",
    "is_current_host",
    "shared_cards",
]

SHARES_OR_MARKS = Q(state__community__shared=True) | Q(state__community__will_use__0__isnull=False)
AMONG = {
    Among.EVERYONE: Q(),
    Among.SHARING: SHARES_OR_MARKS,
    # A JSON key's isnull tests whether the key is there, and every state has the key.
    Among.VOLUNTEERS: Q(state__host__volunteered=True),
}
"""The records each hint of the port reads (the use cases filter again)."""


def card_scope(activity: Activity) -> str:
    """Return the scope of ``activity``'s public card ids, keyed with the tool's secret."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"koula-card:{activity.pk}".encode(), hashlib.sha256).hexdigest()


class ActivityRecords:
    """The port over one :class:`~lti.models.Activity`: its learner records and host turns."""

    def __init__(self, activity: Activity) -> None:
        self.activity = activity

    def card_scope(self) -> str:
        return card_scope(self.activity)

    def members(self, among: Among = Among.EVERYONE) -> Iterator[Member]:
        return learner_rows(LearnerRecord.objects.filter(AMONG[among], activity=self.activity))

    def names(self) -> Iterator[tuple[str, str]]:
        rows = LearnerRecord.objects.filter(activity=self.activity).order_by("pk")
        for sub, name in rows.values_list("user__sub", "user__name").iterator(chunk_size=2000):
            yield str(sub), str(name or "")

    def turns(self) -> tuple[Turn, ...]:
        return turns_from_data(self.activity.host_turns)

    def save_turns(self, turns: tuple[Turn, ...]) -> None:
        self.activity.host_turns = turns_data(turns)
        self.activity.next_host = turns[-1].name if turns else ""
        self.activity.save(update_fields=["host_turns", "next_host"])

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def activity_volunteers(activity: Activity) -> list[str]:
    """Return who offered to host the next session in ``activity``, earliest first."""
    return koula.volunteers(ActivityRecords(activity))


def community_of(activity: Activity, user: LtiUser) -> Community:
    """Return the cards shared now in ``activity`` and ``user``'s own card id."""
    return koula.community_of(ActivityRecords(activity), user.sub)


def shared_cards(grant: Grant, activity_id: int, body: Any) -> dict[str, Any]:
    """Return one page of the cards shared in the activity matching the body's ``query``
    (``shared_cards`` of the learner API); raise NotAllowed, or the core's NotSetUp or
    BadRequest."""
    activity = granted_activity(grant, activity_id)
    template = template_of(activity)
    if template is None:
        raise NotSetUp(grant.language)
    reader = LtiUser.objects.get(pk=grant.user_id).sub
    return koula.shared_cards(
        ActivityRecords(activity), template, body, reader=reader, language=grant.language
    )


def is_current_host(activity: Activity, user: LtiUser) -> bool:
    """Return True when ``user`` is the learner the last hand-over named."""
    return koula.is_current_host(ActivityRecords(activity), user.sub)


def assign_host(grant: Grant, activity_id: int, body: Any) -> dict[str, str]:
    """The learner hosting now hands the next session over (``assign_host`` of the learner
    API; staff use the staff view's form, :func:`assign_next_host`). Return the answer;
    raise NotAllowed, or the core's BadRequest or NotPermitted."""
    activity = granted_activity(grant, activity_id)
    user = LtiUser.objects.get(pk=grant.user_id)
    name = body.get("next_host") if isinstance(body, dict) else None
    with transaction.atomic():  # the hand-over and its xAPI statement (when configured)
        answer = _hand_over(activity.pk, name, Actor(user.sub), grant.language)[1]
        queue_hand_over(activity, user, grant.language)
    return answer


def assign_next_host(activity_id: int, name: object, language: str) -> Activity:
    """Staff hand the next session over to ``name``; raise BadRequest (400) on a bad name,
    ActivityGone (404) when the activity was deleted after the staff view was opened.

    The name is linked to the activity's learner of that name when exactly one has it.
    """
    return _hand_over(activity_id, name, Actor(None, staff=True), language)[0]


def _hand_over(
    activity_id: int, name: object, actor: Actor, language: str
) -> tuple[Activity, dict[str, str]]:
    with transaction.atomic():
        activity = form_activity(activity_id, language, for_update=True)
        answer = koula.assign_host(ActivityRecords(activity), name, by=actor, language=language)
    return activity, answer
