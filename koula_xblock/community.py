"""The community's card library and host hand-over in Open edX, read from the record store.

Every learner's newest record (:mod:`koula_xblock.records`) carries their
state and name, so the shared cards, the reuse counts and the volunteers are
read from the store, never from another learner's fields: learners only ever
write their own state. Cards are known by public ids scoped to the block.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from webob import Response

from koula.community import Community, browse, browse_request, page_data, public_id
from koula.errors import InvalidValues, KoulaError
from koula.messages import translate
from koula.rotation import hand_over, turns_data, turns_from_data
from koula.state import LearnerState
from koula_xblock import compat
from koula_xblock.learner import json_response, not_set_up

if TYPE_CHECKING:
    from koula_xblock.block import KoulaXBlock

__all__ = ["assign_next_host", "card_scope", "community_of", "members", "shared_cards"]


def card_scope(block: KoulaXBlock) -> str:
    """Return the scope of the block's public card ids (its usage id: ids differ per block)."""
    return f"koula-card:{block.scope_ids.usage_id}"


def members(block: KoulaXBlock) -> Iterator[tuple[str, str, LearnerState]]:
    """Yield ``(learner id, name, state)`` for every learner with a record in ``block``."""
    for learner_id, record in compat.record_store(block).iter_records(block):
        yield learner_id, str(record.get("name") or ""), LearnerState.from_data(record)


def community_of(block: KoulaXBlock) -> Community:
    """Return the cards shared now in ``block`` and the current learner's own card id."""
    scope = card_scope(block)
    shared = frozenset(
        public_id(scope, learner_id)
        for learner_id, _name, state in members(block)
        if state.shared_at is not None and state.deliverable.done
    )
    return Community(shared, public_id(scope, compat.learner_id(block)))


def shared_cards(block: KoulaXBlock, body: Any) -> Response:
    """Answer one page of the shared cards matching the body's ``query`` (``shared_cards``)."""
    language = block.learner_language()
    try:
        query, offset = browse_request(body, language)
        template = block.template()
    except InvalidValues as error:
        return json_response({"errors": error.errors}, status=400)
    except KoulaError:
        return not_set_up(language)
    reader = compat.learner_id(block)
    learners = list(members(block))
    if not any(learner_id == reader for learner_id, _n, _s in learners):
        # The reader's own newest state, should the store lag behind (or keep nothing).
        learners.append(
            (reader, compat.user_name(block), LearnerState.from_data(block.learner_state))
        )
    page = browse(
        template, learners, scope=card_scope(block), reader=reader, query=query, offset=offset
    )
    return json_response(page_data(template, page, language))


def assign_next_host(block: KoulaXBlock, body: Any) -> Response:
    """Save who hosts next, for staff or the learner hosting now; link the name to a learner."""
    language = block.learner_language()
    named = [(learner_id, name) for learner_id, name, _state in members(block) if name]
    names = Counter(name.casefold() for _id, name in named)
    participants = {name: learner_id for learner_id, name in named if names[name.casefold()] == 1}
    try:
        turns = hand_over(
            turns_from_data(block.host_turns),
            body.get("next_host") if isinstance(body, dict) else None,
            participants=participants,
            now=dt.datetime.now(dt.UTC),
            language=language,
        )
    except InvalidValues as error:
        return json_response({"errors": error.errors}, status=400)
    block.host_turns = turns_data(turns)
    block.next_host = turns[-1].name
    message = translate(language, "The next host is saved.")
    return json_response({"next_host": block.next_host, "message": message})
