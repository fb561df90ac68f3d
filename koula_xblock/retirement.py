"""What Koula erases itself when Open edX retires a user (``docs/privacy.md``).

The platform's retirement pipeline scrambles the user's username and e-mail and clears
their profile, but it keeps what XBlocks stored: the learner's state in each block
(``StudentModule``), the block's records in edx-submissions, and the fields the block
shares among its learners. Koula keeps the learner's words and name there, so on the
platform's ``USER_RETIRE_LMS_MISC`` signal (:mod:`koula_xblock.openedx.signals`) it
erases them as the LTI tool erases a learner (the core's :func:`koula.erased_state`):

* every record of the learner, in every Koula block of every course, and their state in
  each block, become the erased state: statuses, dates (to the day), choices and ratings
  stay, so the reports' counts stay; every word they wrote is emptied; their card is no
  longer shared and their offer to host is withdrawn; the records' name becomes the
  learner's neutral label (:func:`koula.erased_label`);
* every host hand-over that named them (linked to them, or naming them by any name the
  platform or their records knew) names that label instead (:func:`koula.erased_turns`).

Where those rows live is the host's business: :class:`LearnerRows` is the port, the LMS's
tables (:mod:`koula_xblock.openedx.lms_rows`) in production and the XBlock runtime's
stores in the tests. Erasing an erased learner again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from koula import (
    LearnerState,
    SessionTemplate,
    Turn,
    erased_label,
    erased_state,
    erased_turns,
    turns_data,
    turns_from_data,
)
from koula_xblock.records import record_of

__all__ = ["LearnerRows", "Retired", "Retiree", "retire_learner"]

RecordChange = Callable[[str, dict[str, Any]], dict[str, Any]]
"""``(item id, record or state) -> the erased one``."""
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
TurnsChange = Callable[[list[Any], str], tuple[list[Any], str] | None]
"""``(host_turns, next_host) -> the new pair``, None when nothing changes."""


@dataclass(frozen=True)
class Retiree:
    """The retired learner: the ids Koula blocks know them by (one anonymous id per
    course), every name they were shown under, and the keyed hash of their label."""

    learner_ids: frozenset[str]
    names: tuple[str, ...]
    token: str

    @property
    def label(self) -> str:
        return erased_label(self.token)


@dataclass(frozen=True)
class Retired:
    """How many rows were rewritten: records, learner states, blocks' hand-overs."""

    records: int
    states: int
    turns: int


class LearnerRows(Protocol):
    """Where one retired learner's Koula data lives, across every course of the host."""

    def template_of(self, item_id: str) -> SessionTemplate | None:
        """Return the template of the Koula block ``item_id`` (its usage id), None when it
        has none (deleted, or not set up)."""

    def rewrite_records(self, learner_ids: frozenset[str], change: RecordChange) -> int:
        """Store ``change(item id, record)`` for every record of these learners, every row
        of the history included; return how many rows changed."""

    def rewrite_states(self, change: RecordChange) -> int:
        """Store ``change(item id, learner_state)`` as the learner's state in each Koula
        block where they have one (the platform's user state); return how many changed."""

    def rewrite_turns(self, change: TurnsChange) -> int:
        """Store ``change(host_turns, next_host)`` in every Koula block where it is not
        None; return how many blocks changed."""


def retire_learner(rows: LearnerRows, retiree: Retiree) -> Retired:
    """Erase ``retiree`` from every Koula block ``rows`` reaches (the module docstring)."""
    templates: dict[str, SessionTemplate | None] = {}
    names = set(retiree.names)

    def template(item_id: str) -> SessionTemplate | None:
        if item_id not in templates:
            templates[item_id] = rows.template_of(item_id)
        return templates[item_id]

    def erase_record(item_id: str, record: dict[str, Any]) -> dict[str, Any]:
        if isinstance(record.get("name"), str) and record["name"] != retiree.label:
            names.add(record["name"])  # a name the learner had before: hand-overs may use it
        return erased_record(template(item_id), record, retiree.label)

    def erase_state(item_id: str, stored: dict[str, Any]) -> dict[str, Any]:
        return erased_state(LearnerState.from_data(stored), template(item_id)).to_data()

    records = rows.rewrite_records(retiree.learner_ids, erase_record)
    states = rows.rewrite_states(erase_state)
    turns = rows.rewrite_turns(lambda t, host: erased_hosts(t, host, retiree, names))
    return Retired(records=records, states=states, turns=turns)


def erased_record(
    template: SessionTemplate | None, record: dict[str, Any], label: str
) -> dict[str, Any]:
    """Return ``record`` erased, under ``label`` (a block without template: no progress)."""
    state = erased_state(LearnerState.from_data(record), template)
    if template is None:
        return {**state.to_data(), "name": label}
    return record_of(template, state.to_data(), label)


def erased_hosts(
    host_turns: list[Any], next_host: str, retiree: Retiree, names: set[str]
) -> tuple[list[Any], str] | None:
    """Return a block's hand-overs and next host without ``retiree`` (None: not named)."""
    turns, changed = turns_from_data(host_turns), 0
    for learner_id in sorted(retiree.learner_ids) or [""]:
        turns, count = erased_turns(turns, learner_id=learner_id, names=names, label=retiree.label)
        changed += count
    probe = (Turn(next_host, None, EPOCH),)  # the next host, compared as turns are
    named_next = (
        bool(next_host.strip())
        and erased_turns(probe, learner_id="", names=names, label=retiree.label)[1] > 0
    )
    if not changed and not named_next:
        return None
    if turns:
        return turns_data(turns), turns[-1].name
    return turns_data(turns), retiree.label if named_next else next_host
