"""The seven learner actions of ``docs/learner-api.md`` as pure state transitions.

Four fill in the three parts (``save_draft``, ``submit_deliverable``,
``commit_experiment``, whose ``share_with_group`` says whether the host's check-in
may show the commitment to the group, ``submit_return``); three act in the community:
``volunteer_host`` (offer to host the next session), ``share_card`` (share the
practice card with the community) and ``reuse_card`` ("I will use this" on a
shared card, see :mod:`koula.community`).

:func:`apply_action` takes the learner's current state and a request body and
returns the new state, or raises :class:`~koula.errors.InvalidValues` (400)
or :class:`~koula.errors.OutOfOrder` (409). Either error carries the state to
keep, in which the refused values are saved as the draft: nothing the learner
typed is lost. Time comes in as ``now`` so that the rules stay pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from koula.community import Community
from koula.errors import InvalidValues, OutOfOrder
from koula.messages import Gettext, gettext_for
from koula.state import LearnerState, replaced
from koula.template import Field, Part, SessionTemplate
from koula.values import Values, check_values, clean_values

__all__ = ["ACTIONS", "FINAL_AFTER", "apply_action", "is_final"]

ACTIONS = (
    "save_draft",
    "submit_deliverable",
    "commit_experiment",
    "submit_return",
    "volunteer_host",
    "share_card",
    "reuse_card",
)
SUBMITS = {
    "submit_deliverable": Part.DELIVERABLE,
    "commit_experiment": Part.COMMITMENT,
    "submit_return": Part.RETURN,
}
#: A part that can no longer change once another is in: the commitment, once reported back on.
FINAL_AFTER: Mapping[Part, Part] = {Part.COMMITMENT: Part.RETURN}
MAX_KEPT_CHARACTERS = 50_000
MAX_MARKED_CARDS = 500


def apply_action(
    action: str,
    body: object,
    *,
    template: SessionTemplate,
    state: LearnerState,
    now: dt.datetime,
    language: str,
    community: Community | None = None,
) -> LearnerState:
    """Return the state after ``action``; raise an :class:`ActionError` when it is refused.

    ``community`` (the cards shared now, the learner's own card) is needed by
    ``reuse_card`` only; without it no card counts as shared.
    """
    _ = gettext_for(language)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # times are kept to the ms
    if action not in ACTIONS:
        raise ValueError(f"unknown learner action {action!r}; expected one of {ACTIONS}")
    if not isinstance(body, Mapping):
        raise InvalidValues({"_": _("The request must be a JSON object.")}, state)
    if action == "volunteer_host":
        return _volunteer(body.get("volunteer"), template, state, now, _)
    if action == "share_card":
        return _share(body.get("shared"), state, now, _)
    if action == "reuse_card":
        return _reuse(body.get("card"), body.get("reuse"), community, state, _)
    values = body.get("values", {})
    if action == "save_draft":
        return _save_draft(body.get("part"), values, template, state, _)
    part = SUBMITS[action]
    _check_order(part, values, template, state, _)
    share = body.get("share_with_group", False) if part is Part.COMMITMENT else False
    return _submit(part, values, template, state, now, _, share=share)


def _save_draft(
    part_name: object, values: Any, template: SessionTemplate, state: LearnerState, _: Gettext
) -> LearnerState:
    if part_name not in [part.value for part in template.parts()]:
        choices = ", ".join(part.value for part in template.parts())
        raise InvalidValues(
            {"part": _("Say which form this draft belongs to: {parts}.").format(parts=choices)},
            state,
        )
    part = Part(part_name)
    fields = template.fields_of(part)
    errors = check_values(fields, values, require=False, _=_)
    kept = _with_draft(state, part, _keepable(fields, values))
    if errors:
        raise InvalidValues(errors, kept)
    return _with_draft(state, part, clean_values(fields, values))


def is_final(part: Part, state: LearnerState) -> bool:
    """Whether ``part`` can no longer change: the part of :data:`FINAL_AFTER` after it is in."""
    after = FINAL_AFTER.get(part)
    return after is not None and state.part(after).done


def _check_order(
    part: Part, values: Any, template: SessionTemplate, state: LearnerState, _: Gettext
) -> None:
    message = None
    if part not in template.parts():
        message = _("This activity has no experiment to commit to or report on.")
    elif part is Part.RETURN and not state.commitment.done:
        message = _("Commit to an experiment first; you can report back once you have tried it.")
    elif part is Part.COMMITMENT and is_final(part, state):
        message = _(
            "You have already reported back on this experiment, so it can no longer be changed."
        )
    if message:
        fields = template.fields_of(part)
        kept = _with_draft(state, part, _keepable(fields, values)) if fields else state
        raise OutOfOrder({"_": message}, kept)


def _submit(
    part: Part,
    values: Any,
    template: SessionTemplate,
    state: LearnerState,
    now: dt.datetime,
    _: Gettext,
    *,
    share: object = False,
) -> LearnerState:
    """Submit ``part``; a commitment also stores ``share`` (``share_with_group``, a boolean)."""
    fields = template.fields_of(part)
    errors = check_values(fields, values, require=True, _=_)
    if not isinstance(share, bool):
        errors["share_with_group"] = _(
            "Say true to let the group see this commitment at the check-in, or false to keep"
            " it between you and the course team."
        )
    if errors:
        raise InvalidValues(errors, _with_draft(state, part, _keepable(fields, values)))
    current = state.part(part)
    done_at = current.done_at or now
    updated = replaced(current, values=clean_values(fields, values), draft=None, done_at=done_at)
    if part is Part.COMMITMENT and current.due_on is None and template.experiment is not None:
        days = template.experiment.return_window_days
        updated = replaced(updated, due_on=now.astimezone(dt.UTC).date() + dt.timedelta(days))
    if part is Part.RETURN and current.on_time is None and state.commitment.due_on is not None:
        updated = replaced(
            updated, on_time=now.astimezone(dt.UTC).date() <= state.commitment.due_on
        )
    if part is Part.COMMITMENT:
        return replaced(state.with_part(part, updated), share_commitment=share is True)
    return state.with_part(part, updated)


def _with_draft(state: LearnerState, part: Part, draft: Values) -> LearnerState:
    """Return ``state`` keeping ``draft`` for ``part`` (no draft if both are empty)."""
    current = state.part(part)
    return state.with_part(part, replaced(current, draft=draft if draft or current.done else None))


def _keepable(fields: tuple[Field, ...], values: Any) -> Values:
    """Return the refused answers worth keeping as a draft: known fields, plain values only."""
    if not isinstance(values, Mapping):
        return {}
    keys = {f.key for f in fields}
    kept: Values = {}
    for key, value in values.items():
        plain = (isinstance(value, str | int) and not isinstance(value, bool)) or (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        )
        if key in keys and plain and len(str(value)) <= MAX_KEPT_CHARACTERS:
            kept[key] = value
    return kept


def _volunteer(
    volunteer: object,
    template: SessionTemplate,
    state: LearnerState,
    now: dt.datetime,
    _: Gettext,
) -> LearnerState:
    """Offer to host the next session (``volunteer`` true) or withdraw the offer (false)."""
    if not isinstance(volunteer, bool):
        raise InvalidValues(
            {"volunteer": _("Say true to offer to host the next session, or false to withdraw.")},
            state,
        )
    if not any(role.rotates for role in template.roles):
        raise OutOfOrder(
            {
                "_": _(
                    "In this session facilitation does not rotate, so there is no "
                    "next host to volunteer for."
                )
            },
            state,
        )
    if not volunteer:
        return replaced(state, volunteered_at=None)
    return replaced(state, volunteered_at=state.volunteered_at or now)


def _share(shared: object, state: LearnerState, now: dt.datetime, _: Gettext) -> LearnerState:
    """Share the submitted practice card with the community (``shared`` true) or withdraw it."""
    if not isinstance(shared, bool):
        raise InvalidValues(
            {"shared": _("Say true to share your practice card, or false to stop sharing it.")},
            state,
        )
    if not shared:
        return replaced(state, shared_at=None)
    if not state.deliverable.done:
        raise OutOfOrder(
            {"_": _("Submit your practice card first; then you can share it with the community.")},
            state,
        )
    return replaced(state, shared_at=state.shared_at or now)


def _reuse(
    card: object,
    reuse: object,
    community: Community | None,
    state: LearnerState,
    _: Gettext,
) -> LearnerState:
    """Mark a shared card "I will use this" (``reuse`` true) or take the mark back."""
    errors = {}
    if not isinstance(card, str) or not card or len(card) > 64:
        errors["card"] = _("Say which card, by the id the list of shared cards gives.")
    if not isinstance(reuse, bool):
        errors["reuse"] = _("Say true if you will use this card, or false to take it back.")
    if errors:
        raise InvalidValues(errors, state)
    assert isinstance(card, str)
    marked = tuple(mark for mark in state.will_use if mark != card)
    if not reuse:
        return replaced(state, will_use=marked)
    message = None
    if community is not None and card == community.own:
        message = _("This is your own card: the others can mark it, you cannot.")
    elif community is None or card not in community.shared:
        message = _("This card is not shared any more, so it cannot be marked.")
    elif len(marked) >= MAX_MARKED_CARDS:
        message = _("You have marked {n} cards, the most there can be.").format(n=MAX_MARKED_CARDS)
    if message:
        raise OutOfOrder({"_": message}, state)
    return replaced(
        state, will_use=(*marked, card) if card not in state.will_use else state.will_use
    )
