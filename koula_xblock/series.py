"""The course's series as the core's port sees it (:class:`koula.SeriesStore`): its Koula blocks.

A course's Koula blocks are the community's sessions (issue 11). Which blocks:
:func:`koula_xblock.compat.course_blocks` (the LMS's modulestore; the workbench's
tree). In which order: the core sorts by session date, then creation time, then
id. An XBlock has no creation time, so "creation" here is **the block's place in
the course outline**, within its release day: a block's ``created_at`` is its
unit's release date (its ``start``, at the second; the Unix epoch where the host
has none, as in the workbench) plus its outline position in microseconds. A
session without a Session date therefore falls on its release date, and sessions
of one day follow the outline, as learners meet them.

Learners' states come from the record store (:mod:`.records`): in the LMS another
block's ``user_state`` cannot be read from this one, and each learner's newest
record is their whole state. Nothing is written to another block: the XBlock never
applies a return to an earlier session (the page links to its unit instead), so
:meth:`BlockSeries.save_state` refuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from typing import Any

from koula import (
    KoulaError,
    LearnerState,
    Member,
    Session,
    SessionTemplate,
    configured_template,
    turns_from_data,
)
from koula_xblock import compat
from koula_xblock.records import RecordStore, usage_text

__all__ = ["EPOCH", "BlockSeries", "card_scope", "session_of"]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def card_scope(block: Any) -> str:
    """Return the scope of ``block``'s public card ids (as :mod:`.community` keys them)."""
    return f"koula-card:{usage_text(block.scope_ids.usage_id)}"


def session_of(block: Any, position: int, *, language: str) -> Session | None:
    """Return ``block`` as a session of the series (None when its settings make no template).

    ``position`` is its place in the course outline; the template is drawn in ``language``.
    """
    try:
        template = configured_template(block.activity_settings(), language=language)
    except KoulaError:
        return None
    start = (compat.release_date(block) or EPOCH).replace(microsecond=0)
    host_name, host_id = _host(block)
    return Session(
        id=usage_text(block.scope_ids.usage_id),
        title=str(block.display_name or ""),
        template=template,
        created_at=start + dt.timedelta(microseconds=position),
        session_date=block.session_day(),
        host=host_name,
        host_id=host_id,
        card_scope=card_scope(block),
        url=compat.unit_url(block),
    )


def _host(block: Any) -> tuple[str, str | None]:
    """Return who hosts the block's session (the last hand-over), as far as it can be read.

    In the LMS a block read from the modulestore may not give its hand-overs (a field
    shared by its learners): the host is then unknown ("").
    """
    try:
        turns = turns_from_data(block.host_turns)
        name = str(block.next_host or "")
    except Exception:  # the host's field data refuses this scope: unknown host
        return "", None
    return name, turns[-1].learner_id if turns else None


class BlockSeries:
    """The :class:`koula.SeriesStore` over the Koula blocks of one course.

    ``blocks`` are in course-outline order; those whose settings make no template are
    left out of the series. ``store`` holds every learner's records.
    """

    def __init__(
        self, blocks: Sequence[Any], *, store: RecordStore, language: str, now: dt.datetime
    ) -> None:
        self.store = store
        self.clock = now
        self.by_id: dict[str, tuple[Session, Any]] = {}
        for position, block in enumerate(blocks):
            session = session_of(block, position, language=language)
            if session is not None:
                self.by_id[session.id] = (session, block)

    def sessions(self) -> Iterator[Session]:
        return (session for session, _block in self.by_id.values())

    def session(self, session_id: str) -> Session | None:
        found = self.by_id.get(session_id)
        return found[0] if found else None

    def members(self, session_id: str, *, committed: bool = False) -> Iterator[Member]:
        found = self.by_id.get(session_id)
        if found is None:
            return
        for learner_id, record in self.store.iter_records(found[1]):
            yield learner_id, str(record.get("name") or ""), LearnerState.from_data(record)

    def learner_states(
        self, learner_id: str, session_ids: Collection[str]
    ) -> dict[str, dict[str, Any]]:
        blocks = [self.by_id[i][1] for i in session_ids if i in self.by_id]
        found = self.store.learner_records(blocks, learner_id)
        return {i: LearnerState.from_data(found[i]).to_data() for i in session_ids if i in found}

    def save_state(self, session_id: str, learner_id: str, stored: dict[str, Any]) -> None:
        raise NotImplementedError(
            "The Open edX runtime does not let one block write another's learner state:"
            " the page links to the earlier unit (jump_to) instead."
        )

    def now(self) -> dt.datetime:
        return self.clock

    @staticmethod
    def template_of(session: Session) -> SessionTemplate:
        return session.template
