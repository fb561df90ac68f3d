"""The community's card library and the host hand-over in the LTI tool.

Cards are known by public ids (:func:`koula.community.public_id`) scoped by a
keyed hash of the activity, so they name no platform user id. Browsing reads
only the records of learners who share a card or marked one (chunked); the
check of ``reuse_card`` reads only the records whose card is shared.
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

from koula.community import Community, browse, browse_request, page_data, public_id
from koula.errors import InvalidValues
from koula.messages import translate
from koula.rotation import hand_over, turns_data, turns_from_data, volunteers_of
from koula.state import LearnerState
from lti.bearer import Grant
from lti.models import Activity, LearnerRecord, LtiUser
from lti.services.activities import template_of
from lti.services.records import learner_rows

__all__ = [
    "activity_volunteers",
    "assign_next_host",
    "card_scope",
    "community_of",
    "is_current_host",
    "shared_cards",
]


def card_scope(activity: Activity) -> str:
    """Return the scope of ``activity``'s public card ids, keyed with the tool's secret."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"koula-card:{activity.pk}".encode(), hashlib.sha256).hexdigest()


def _sharing_or_marking(activity: Activity) -> Iterator[tuple[str, str, LearnerState]]:
    """Yield the learners of ``activity`` who share a card or marked one: all that browsing
    needs (the others neither show a card nor count a reuse)."""
    return learner_rows(
        LearnerRecord.objects.filter(activity=activity).filter(
            Q(state__community__shared=True) | Q(state__community__will_use__0__isnull=False)
        )
    )


def activity_volunteers(activity: Activity) -> list[str]:
    """Return who offered to host the next session in ``activity``, earliest first (reading
    only their records)."""
    offered = LearnerRecord.objects.filter(
        activity=activity, state__host__volunteered_at__isnull=False
    )
    return volunteers_of(learner_rows(offered))


def community_of(activity: Activity, user: LtiUser) -> Community:
    """Return the cards shared now in ``activity`` and ``user``'s own card id."""
    scope = card_scope(activity)
    subs = LearnerRecord.objects.filter(
        activity=activity, state__community__shared=True
    ).values_list("user__sub", "state")
    shared = frozenset(
        public_id(scope, str(sub))
        for sub, state in subs
        if LearnerState.from_data(state).deliverable.done
    )
    return Community(shared, public_id(scope, user.sub))


def shared_cards(grant: Grant, activity: Activity, body: Any) -> tuple[int, dict[str, Any]]:
    """Answer one page of the cards shared in ``activity`` matching the body's ``query``."""
    try:
        query, offset = browse_request(body, grant.language)
    except InvalidValues as error:
        return 400, {"errors": error.errors}
    template = template_of(activity)
    if template is None:
        message = translate(
            grant.language, "This activity is not set up yet. Please tell the course team."
        )
        return 409, {"errors": {"_": message}}
    reader = LtiUser.objects.get(pk=grant.user_id).sub
    page = browse(
        template,
        _sharing_or_marking(activity),
        scope=card_scope(activity),
        reader=reader,
        query=query,
        offset=offset,
    )
    return 200, page_data(template, page, grant.language)


def is_current_host(activity: Activity, user: LtiUser) -> bool:
    """Return True when ``user`` is the learner the last hand-over named."""
    turns = turns_from_data(activity.host_turns)
    return bool(turns) and turns[-1].learner_id == user.sub


def assign_next_host(activity_id: int, name: object, language: str) -> Activity:
    """Hand the next session over to ``name``; raise InvalidValues (400) on a bad name.

    The name is linked to the activity's learner of that name when exactly one has it.
    """
    with transaction.atomic():
        activity = Activity.objects.select_for_update().get(pk=activity_id)
        named = (
            list(
                LearnerRecord.objects.filter(
                    activity=activity, user__name__iexact=" ".join(str(name).split())
                ).values_list("user__name", "user__sub")[:2]
            )
            if isinstance(name, str)
            else []
        )
        participants = {named[0][0]: named[0][1]} if len(named) == 1 else {}
        turns = hand_over(
            turns_from_data(activity.host_turns),
            name,
            participants=participants,
            now=dt.datetime.now(dt.UTC),
            language=language,
        )
        activity.host_turns = turns_data(turns)
        activity.next_host = turns[-1].name
        activity.save(update_fields=["host_turns", "next_host"])
    return activity
