"""The card library through the port: a page of shared cards, and what a card is checked against.

The rules (who sees which card, search, reuse counts, the public ids) are in
:mod:`koula.community`; these functions read the members they need from an
:class:`~koula.use_cases.port.ActivityStore`.
"""

from __future__ import annotations

from typing import Any

from koula.community import Community, browse, browse_request, page_data, public_id
from koula.template import SessionTemplate
from koula.use_cases.port import ActivityStore, Among

__all__ = ["community_of", "shared_cards"]


def shared_cards(
    activity: ActivityStore,
    template: SessionTemplate,
    body: object,
    *,
    reader: str,
    language: str,
) -> dict[str, Any]:
    """Return the answer of ``shared_cards`` (``docs/learner-api.md``) for learner ``reader``.

    Raises BadRequest (400) for a body that is not an object, a bad query or offset.
    """
    query, offset = browse_request(body, language)
    page = browse(
        template,
        activity.members(Among.SHARING),
        scope=activity.card_scope(),
        reader=reader,
        query=query,
        offset=offset,
    )
    return page_data(template, page, language)


def community_of(activity: ActivityStore, reader: str) -> Community:
    """Return the cards shared now in ``activity`` and ``reader``'s own card id (``reuse_card``)."""
    scope = activity.card_scope()
    shared = frozenset(
        public_id(scope, learner_id)
        for learner_id, _name, state in activity.members(Among.SHARING)
        if state.shared_at is not None and state.deliverable.done
    )
    return Community(shared, public_id(scope, reader))
