"""Carry-over in the tool: a learner's open experiments from earlier sessions, and their return.

On an activity's page the learner sees first the experiments they committed to in earlier
sessions of the series (:func:`carried_for`: the core's :func:`koula.carried_over` over
:class:`~lti.services.series.ActivitySeries`) with each one's return form, and reports back
from there: ``submit_return`` or ``save_draft`` with ``"session": "<earlier activity id>"``
(:func:`run_earlier_return`, ``docs/learner-api.md``).

The return is applied by :func:`koula.submit_earlier_return` in one transaction that locks
the learner's row of the earlier activity (so two tabs reporting on it run one after the
other), stores the earlier state and, when its progress changed, queues the score for the
EARLIER activity's line item: the gradebook entry that completes is the one of the session
the learner committed in (and its xAPI statement, when an LRS is configured, names that
earlier activity). Refusals are the core's: 400 for a session that is not earlier in
this series (another context's or another tenant's activity included, since the series is
read from the page's deployment and context only), 409 when nothing is open there; a
refused return is kept as that session's draft, as on its own page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from koula import (
    BadRequest,
    CarriedExperiment,
    LearnerState,
    carried_over,
    is_open,
    submit_earlier_return,
)
from koula.messages import N_, translate
from lti.bearer import Grant
from lti.models import Activity, LearnerRecord, LtiUser
from lti.services.activities import template_of
from lti.services.grants import granted_activity
from lti.services.learner import refusal
from lti.services.scores import queue_score
from lti.services.series import ActivitySeries, LearnerRecords
from lti.services.xapi import queue_action_statements, xapi_enabled

__all__ = ["EARLIER_ACTIONS", "carried_for", "run_earlier_return"]

log = logging.getLogger(__name__)

EARLIER_ACTIONS = ("submit_return", "save_draft")
"""The learner actions that take ``"session"``: a return (or its draft) for an earlier one."""

SESSION_NOT_TEXT = N_("Name the earlier session by its id, as text.")
ONLY_RETURN = N_("Only the return of an earlier session can be saved from this page.")


def carried_for(
    activity: Activity, user: LtiUser, *, records: LearnerRecords | None = None
) -> list[CarriedExperiment]:
    """Return ``user``'s open experiments from sessions before ``activity``, oldest first.

    ``records``, the learner's rows in the series when the caller read them
    (:func:`~lti.services.series.learner_records`), spare reading the series when none of
    its other sessions holds an open experiment of theirs (most launches).

    The series is secondary on the page: when it cannot be read, this logs why and returns
    none, so the activity still opens.
    """
    try:
        if records is not None and not any(
            is_open(LearnerState.from_data(state)) for state in records.others.values()
        ):
            return []
        series = ActivitySeries(activity)
        return carried_over(series, learner_id=user.sub, session_id=str(activity.pk))
    except Exception:
        log.exception("the series of activity %s could not be read for carry-over", activity.pk)
        return []


def run_earlier_return(
    grant: Grant, activity_id: int, action: str, body: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply ``action`` (``submit_return`` or ``save_draft``) to the earlier session that
    ``body["session"]`` names, from the page of ``activity_id``; return the earlier session's
    learner state with ``"session"`` (its id).

    Raise NotAllowed (403) for another activity than the grant's; BadRequest (400) for a
    ``session`` that is not text, a draft of another part than the return, or a session not
    earlier in this series; Conflict (409) when the learner has nothing open there; the
    core's ActionError (400/409) once refused values are kept as that session's draft.
    """
    activity = granted_activity(grant, activity_id)
    language = grant.language
    earlier_id = body.get("session")
    if not isinstance(earlier_id, str):
        raise BadRequest({"session": translate(language, SESSION_NOT_TEXT)})
    draft = action == "save_draft"
    if draft and body.get("part") != "return":
        raise BadRequest({"part": translate(language, ONLY_RETURN)})
    request = {key: value for key, value in body.items() if key not in ("session", "part")}
    user = LtiUser.objects.get(pk=grant.user_id)
    with transaction.atomic():
        series = ActivitySeries(activity)
        earlier = series.activity_of(earlier_id)
        if earlier is not None and earlier.pk != activity.pk:
            series.lock_learner(user.sub, earlier_id)
        before = _stored_state(earlier, user)
        done = submit_earlier_return(
            series,
            request,
            learner_id=user.sub,
            session_id=str(activity.pk),
            earlier_id=earlier_id,
            language=language,
            draft=draft,
        )
        outcome = done.outcome
        if outcome.progress is not None and earlier is not None:
            queue_score(earlier, user, outcome.progress, language)
        if outcome.status == 200 and earlier is not None and not draft:
            _queue_statements(earlier, user, before, outcome.stored, language)
    if outcome.status != 200:
        raise refusal(outcome.status, outcome.body["errors"], outcome.stored)
    return {**outcome.body, "session": earlier_id}


def _stored_state(earlier: Activity | None, user: LtiUser) -> dict[str, Any]:
    """The learner's stored state in ``earlier`` before the return (only read when an LRS is
    configured: its statement says whether the return is a revision)."""
    if earlier is None or not xapi_enabled():
        return {}
    record = LearnerRecord.objects.filter(activity=earlier, user=user).first()
    return dict(record.state) if record else {}


def _queue_statements(
    earlier: Activity, user: LtiUser, before: dict[str, Any], after: dict[str, Any], language: str
) -> None:
    """Queue the xAPI statement of a return to ``earlier`` (its own activity, not this page's)."""
    template = template_of(earlier)
    done_at = LearnerState.from_data(after).return_.done_at
    if template is None or done_at is None:
        return
    queue_action_statements(
        earlier,
        user,
        "submit_return",
        before,
        after,
        template=template,
        at=done_at,  # an earlier session's return is never a revision (409): its first time
        language=language,
    )
