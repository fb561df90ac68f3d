"""The learner actions over HTTP: same bodies, same state, same errors as the XBlock.

One transaction per action, which locks the learner's own row and nothing else: the
activity is read without a lock, so on PostgreSQL the learners of a cohort act at the
same time, while two actions of one learner (two tabs) run one after the other. The core
applies the action (:func:`koula.perform`), the new state is stored and, when progress
changed, the score for the gradebook goes into the outbox in the same transaction, so a
score is never lost between the action and its delivery; so do the action's xAPI
statements when an LRS is configured (:mod:`lti.services.xapi`).

A refused action still stores what the learner typed (the core keeps it as the draft),
then raises the core's refusal for :class:`lti.views.errors.LtiErrorMiddleware` to answer:
nothing a learner typed is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

from koula import (
    ActionError,
    InvalidValues,
    LearnerState,
    NotSetUp,
    Outcome,
    OutOfOrder,
    learner_state_data,
    perform,
)
from lti.bearer import Grant
from lti.models import Activity, LearnerRecord, LtiUser
from lti.services.activities import template_of
from lti.services.community import community_of
from lti.services.grants import check_grant, granted_record
from lti.services.raw_rows import (
    Columns,
    column,
    database,
    driver_cursor,
    insert,
    locking,
    table,
    update,
)
from lti.services.rows import one_or_none
from lti.services.scores import queue_score
from lti.services.write_transaction import write_transaction
from lti.services.xapi import queue_action_statements

__all__ = ["learner_state", "refusal", "run_action"]


def run_action(grant: Grant, activity_id: int, action: str, body: Any) -> dict[str, Any]:
    """Apply ``action`` for the grant's learner; return the answer's JSON body
    (``docs/learner-api.md``).

    Raise NotAllowed for another activity, the core's NotSetUp (409) when the activity has
    no valid template, and the core's ActionError (InvalidValues 400, OutOfOrder 409) once
    the refused values are stored as the learner's draft.
    """
    check_grant(grant, activity_id)  # before the transaction: SQLite's takes the write lock
    with write_transaction():
        activity, user, row, history = granted_record(grant, activity_id, _record_columns())
        template = template_of(activity)
        if template is None:
            raise NotSetUp(grant.language)
        community = community_of(activity, user) if action == "reuse_card" else None

        def apply(stored: dict[str, Any], now: dt.datetime) -> Outcome:
            return perform(
                action,
                body,
                template=template,
                stored=stored,
                now=now,
                language=grant.language,
                community=community,
            )

        before, outcome, now = _stored(activity, user, row, apply)
        if outcome.progress is not None:
            queue_score(
                activity,
                user,
                outcome.progress,
                grant.language,
                state=outcome.stored,
                history=history,
            )
        if outcome.status == 200:  # its xAPI statements, when an LRS is configured
            queue_action_statements(
                activity,
                user,
                action,
                before,
                outcome.stored,
                template=template,
                at=now,
                language=grant.language,
            )
    if outcome.status != 200:
        raise refusal(outcome.status, outcome.body["errors"], outcome.stored)
    return outcome.body


def _stored(
    activity: Activity,
    user: LtiUser,
    row: tuple[Any, ...] | None,
    apply: Callable[[dict[str, Any], dt.datetime], Outcome],
) -> tuple[dict[str, Any], Outcome, dt.datetime]:
    """The learner's state before the action, the action's outcome (its state stored) and
    the moment it was applied at; ``row`` is the learner's record as the grant's statement
    read and locked it (:func:`~lti.services.grants.granted_record`), None when there was
    none.

    A learner's first action makes their record with its new state: a new row is locked by
    the transaction that made it. Two first actions of one learner at once (two tabs, on
    PostgreSQL): the second one's insert meets the unique constraint once the first
    commits, and the second applies its action again, to the row the first made, at the
    moment it can."""
    records = _record_columns()
    now = dt.datetime.now(dt.UTC)
    if row is None:
        outcome = apply({}, now)
        made = insert(
            LearnerRecord,
            unless_taken=True,
            activity_id=activity.pk,
            user_id=user.pk,
            state=outcome.stored,
            updated_at=now,
        )
        if made is not None:
            return {}, outcome, now
        row = _locked_row(activity, user)  # made meanwhile by another action of the learner's
        now = dt.datetime.now(dt.UTC)  # after waiting for it
    if row is None:  # deleted in between: the activity or the learner is gone
        raise LearnerRecord.DoesNotExist("The learner's record was deleted meanwhile.")
    pk, before = records.values(row)
    outcome = apply(before, now)
    update(LearnerRecord, pk, state=outcome.stored, updated_at=now)
    return before, outcome, now


def _locked_row(activity: Activity, user: LtiUser) -> tuple[Any, ...] | None:
    db = database()
    with driver_cursor() as cursor:
        cursor.execute(_record_sql(db.vendor), [activity.pk, user.pk])
        return cursor.fetchone()  # type: ignore[no-any-return]


@cache
def _record_columns() -> Columns[LearnerRecord]:
    return Columns(LearnerRecord, "lr", only=("state",))


@cache
def _record_sql(vendor: str) -> str:
    return (
        f"SELECT {_record_columns().sql} FROM {table(LearnerRecord)} lr "
        f"WHERE lr.{column(LearnerRecord, 'activity')} = %s "
        f"AND lr.{column(LearnerRecord, 'user')} = %s{locking()}"
    )


def refusal(status: int, errors: dict[str, str], stored: dict[str, Any]) -> ActionError:
    """The core's refusal that :func:`koula.perform` answered with ``status`` (its state
    already stored)."""
    kinds: dict[int, type[ActionError]] = {
        kind.status: kind for kind in (InvalidValues, OutOfOrder)
    }
    refused = kinds.get(status, ActionError)(errors, LearnerState.from_data(stored))
    refused.status = status  # exactly what the core answered
    return refused


def learner_state(activity: Activity, user_id: int) -> dict[str, Any] | None:
    """Return the learner state shown at launch, or None when the activity has no template."""
    template = template_of(activity)
    if template is None:
        return None
    record = one_or_none(LearnerRecord.objects.filter(activity=activity, user_id=user_id))
    return learner_state_data(template, LearnerState.from_data(record.state if record else {}))
