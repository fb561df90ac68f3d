"""The community's library of practice cards: the cards learners chose to share, and their reuse.

A learner shares their submitted practice card with the other participants of
the activity (``share_card``) and may withdraw it; participants browse and
search the shared cards and mark the ones they will use (``reuse_card``), which
counts as reuse. Only the deliverable of a shared card is ever shown to other
learners: never an unshared card, never a commitment or a return.

Each card is known by a public id (:func:`public_id`): a hash of the activity's
scope and the learner's id, so it names one card without telling who wrote it
(the author's name is shown only beside a card they shared). Reuse marks live
in each reader's own state, so marking a card never writes another learner's.
:func:`browse` reads every learner once and answers one page of shared cards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from koula.errors import BadRequest
from koula.messages import gettext_for
from koula.state import LearnerState, format_time
from koula.template import Part, SessionTemplate
from koula.values import Values

__all__ = [
    "PAGE_SIZE",
    "CardPage",
    "Community",
    "SharedCard",
    "browse",
    "browse_request",
    "card_data",
    "card_title",
    "page_data",
    "public_id",
    "searchable",
]

PAGE_SIZE = 20
MAX_QUERY = 200


def public_id(scope: str, learner_id: str) -> str:
    """Return the public id of ``learner_id``'s card in the activity ``scope`` (16 hex digits).

    ``scope`` names the activity and, where the adapter has one, a server secret,
    so the id cannot be turned back into the learner's id.
    """
    return hashlib.sha256(f"{scope}\x00{learner_id}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Community:
    """What ``reuse_card`` checks a card id against: the cards shared now, and the learner's own."""

    shared: frozenset[str]
    own: str


@dataclass(frozen=True)
class SharedCard:
    id: str
    author: str
    shared_at: dt.datetime
    values: Values
    reuses: int
    """How many other learners marked "I will use this"."""
    reused: bool
    """Whether the reader marked it."""
    mine: bool


@dataclass(frozen=True)
class CardPage:
    cards: tuple[SharedCard, ...]
    matching: int
    """How many shared cards match the query (all pages)."""
    shared: int
    """How many cards are shared in the activity."""
    offset: int


def searchable(text: str) -> str:
    """Return ``text`` folded for search: case and accents ignored ("Équipe" finds "equipe")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def browse_request(body: object, language: str) -> tuple[str, int]:
    """Return ``(query, offset)`` from a ``shared_cards`` body; raise BadRequest (400)."""
    _ = gettext_for(language)
    if body is None:
        body = {}
    if not isinstance(body, Mapping):
        raise BadRequest({"_": _("The request must be a JSON object.")})
    query, offset = body.get("query", ""), body.get("offset", 0)
    errors = {}
    if not isinstance(query, str) or len(query) > MAX_QUERY:
        errors["query"] = _("Search with text of at most {n} characters.").format(n=MAX_QUERY)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        errors["offset"] = _("Say from which card to go on, as a whole number from 0.")
    if errors:
        raise BadRequest(errors)
    return str(query), int(offset)


def browse(
    template: SessionTemplate,
    learners: Iterable[tuple[str, str | None, LearnerState]],
    *,
    scope: str,
    reader: str,
    query: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> CardPage:
    """Return one page of the shared cards matching ``query``, most reused first.

    ``learners`` yields ``(learner id, display name, state)``; ``reader`` is the
    id of the learner browsing. Every word of ``query`` must appear in the card's
    answers or its author's name.
    """
    shared: list[tuple[str, str, dt.datetime, Values]] = []
    reuses: Counter[str] = Counter()
    read: frozenset[str] = frozenset()
    reader_card = public_id(scope, reader)
    for learner_id, name, state in learners:
        card = public_id(scope, learner_id)
        reuses.update(mark for mark in set(state.will_use) if mark != card)
        if learner_id == reader:
            read = frozenset(state.will_use)
        if state.shared_at is not None and state.deliverable.done:
            shared.append((card, name or "", state.shared_at, state.deliverable.values))
    words = searchable(query).split()
    matching = [
        entry for entry in shared if all(word in _haystack(template, entry) for word in words)
    ]
    matching.sort(key=lambda entry: (-reuses[entry[0]], -entry[2].timestamp(), entry[0]))
    page = tuple(
        SharedCard(
            id=card,
            author=author,
            shared_at=when,
            values=values,
            reuses=reuses[card],
            reused=card in read,
            mine=card == reader_card,
        )
        for card, author, when, values in matching[offset : offset + limit]
    )
    return CardPage(page, len(matching), len(shared), offset)


def _haystack(template: SessionTemplate, entry: tuple[str, str, dt.datetime, Values]) -> str:
    _card, author, _when, values = entry
    texts = [author]
    for field in template.fields_of(Part.DELIVERABLE):
        value = values.get(field.key)
        texts.extend(value if isinstance(value, list) else [str(value or "")])
    return searchable(" ".join(texts))


def card_data(template: SessionTemplate, card: SharedCard, language: str) -> dict[str, Any]:
    """Return one shared card as JSON: its answers with their labels, in ``language``."""
    fields = [
        {"key": field.key, "label": field.label.get(language), "value": card.values[field.key]}
        for field in template.fields_of(Part.DELIVERABLE)
        if field.key in card.values
    ]
    return {
        "id": card.id,
        "author": card.author,
        "shared_at": format_time(card.shared_at),
        "title": card_title(template, card.values),
        "fields": fields,
        "reuses": card.reuses,
        "reused": card.reused,
        "mine": card.mine,
    }


def page_data(template: SessionTemplate, page: CardPage, language: str) -> dict[str, Any]:
    """Return the answer of ``shared_cards``: the page of cards and the counts to page on."""
    return {
        "cards": [card_data(template, card, language) for card in page.cards],
        "matching": page.matching,
        "shared": page.shared,
        "offset": page.offset,
        "next_offset": page.offset + len(page.cards)
        if page.offset + len(page.cards) < page.matching
        else None,
    }


def card_title(template: SessionTemplate, values: Values) -> str:
    """Return a card's title: the first line of its first text answer."""
    for field in template.fields_of(Part.DELIVERABLE):
        value = values.get(field.key)
        if isinstance(value, str) and value.strip():
            return value.strip().splitlines()[0][:120]
    return ""
