"""What a learner page's access (its bearer token's :class:`~lti.bearer.Grant`) opens."""

from __future__ import annotations

from functools import cache
from typing import Any

from koula.messages import N_, translate
from lti.bearer import Grant
from lti.errors import ActivityGone, NotAllowed, NotAuthenticated
from lti.models import Activity, Deployment, LearnerRecord, LtiUser, Registration
from lti.services.raw_rows import Columns, column, database, driver_cursor, locking, table
from lti.services.scores import ScoreHistory, history_of, history_sql

__all__ = ["check_grant", "granted_activity", "granted_learner", "granted_record"]

ERASED = N_("Your access to this activity has expired. Reload the activity from your course.")
GONE = N_(
    "This activity no longer exists: it may have been removed from your course. What you "
    "typed stays on this page; ask your course team where to go on."
)


def check_grant(grant: Grant, activity_id: int) -> None:
    """Raise NotAllowed (403) unless the page's access covers ``activity_id``."""
    if grant.activity_id != activity_id:
        raise NotAllowed(
            translate(
                grant.language,
                "This page's access does not cover that activity. Open the activity "
                "again from your course.",
            ),
            language=grant.language,
        )


def granted_activity(grant: Grant, activity_id: int) -> Activity:
    """Return the activity ``activity_id`` when the page's access covers it (read from the
    grant's deployment only, so never another tenant's); else raise NotAllowed (403).

    Raise NotAuthenticated (401) when the learner was erased since the page opened
    (``koula learners erase``): the page must be opened again (a new account); ActivityGone
    (404) when the activity was removed since.
    """
    return granted_learner(grant, activity_id)[0]


def granted_learner(grant: Grant, activity_id: int) -> tuple[Activity, LtiUser]:
    """:func:`granted_activity` and the grant's learner (its registration's issuer read
    too), in one statement."""
    activity, user, _, _ = _granted(grant, activity_id, None)
    return activity, user


def granted_record(
    grant: Grant, activity_id: int, records: Columns[LearnerRecord]
) -> tuple[Activity, LtiUser, tuple[Any, ...] | None, ScoreHistory]:
    """:func:`granted_learner` and the learner's record in the activity (its ``records``
    columns, None when there is none yet), locked until the transaction ends (on
    PostgreSQL; SQLite's write transaction holds the whole database), and what the score
    queue reads first (whether the platform holds erasures on request; on SQLite the
    learner's last score: :class:`~lti.services.scores.ScoreHistory`), in one statement.
    Call it inside a transaction.

    The activity and the learner are read with the columns a learner action reads
    (:data:`ACTION_COLUMNS`): the others are deferred, read if asked for."""
    activity, user, record, history = _granted(grant, activity_id, records)
    assert history is not None  # read with the record
    return activity, user, record, history


# What a learner action reads of the activity and the learner (lti.services.learner): its
# template, the score's maximum, the xAPI statements' names and the community's context. A
# column left out costs its own statement when read (Django's deferred field).
ACTION_COLUMNS = {
    Activity: ("deployment_id", "resource_link_id", "context_id", "title", "settings",
               "score_maximum"),
    LtiUser: ("registration_id", "sub", "name", "email", "language"),
}  # fmt: skip


def _granted(
    grant: Grant, activity_id: int, records: Columns[LearnerRecord] | None
) -> tuple[Activity, LtiUser, tuple[Any, ...] | None, ScoreHistory | None]:
    check_grant(grant, activity_id)
    activity, learner, registrations = _columns(records is not None)
    sql = _granted_sql(database().vendor, records)
    with driver_cursor() as cursor:
        cursor.execute(sql, [grant.user_id, activity_id, grant.deployment_id])
        row = cursor.fetchone()
    if row is None:  # removed since the page opened (the grant names its deployment)
        message = translate(grant.language, GONE)
        raise ActivityGone(message, language=grant.language, detail=f"activity {activity_id} gone")
    users_end = activity.width + learner.width
    if row[activity.width] is None:  # no such learner on the activity's platform
        raise NotAuthenticated(translate(grant.language, ERASED), language=grant.language)
    user = learner.instance(row[activity.width : users_end])
    registration = registrations.instance((user.registration_id, row[users_end]))
    _registration_field().set_cached_value(user, registration)  # as select_related does
    record, history = None, None
    if records is not None:  # then the record's columns and the score's history
        start = users_end + 1
        end = start + records.width
        if row[start] is not None:
            record = row[start:end]
        history = history_of(row[end:])
    return activity.instance(row[: activity.width]), user, record, history


@cache
def _registration_field() -> Any:
    """The learner's ``registration`` field, which caches its registration on the learner."""
    return LtiUser._meta.get_field("registration")


@cache
def _columns(
    action: bool = False,
) -> tuple[Columns[Activity], Columns[LtiUser], Columns[Registration]]:
    """The activity's and the learner's columns (for an ``action``, :data:`ACTION_COLUMNS`);
    the learner's registration's key and issuer."""
    if action:
        activity = Columns(Activity, "a", ACTION_COLUMNS[Activity])
        learner = Columns(LtiUser, "u", ACTION_COLUMNS[LtiUser])
    else:
        activity, learner = Columns(Activity, "a"), Columns(LtiUser, "u")
    return activity, learner, Columns(Registration, "r", ("issuer",))


@cache
def _granted_sql(vendor: str, records: Columns[LearnerRecord] | None) -> str:
    activity, learner, _ = _columns(records is not None)
    deployment_of, registration_of = column(Activity, "deployment"), column(LtiUser, "registration")
    selected, joined = "", ""
    if records is not None:  # the learner's record, when there is one
        mine = records.alias
        of_learner = (
            f"{mine}.{column(LearnerRecord, 'activity')} = a.id "
            f"AND {mine}.{column(LearnerRecord, 'user')} = u.id"
        )
        lock = locking()
        if lock:  # a lateral subquery may lock a row an outer join may lack
            selected = ", k.*"
            joined = (
                f" LEFT JOIN LATERAL (SELECT {records.sql} FROM {table(LearnerRecord)} {mine} "
                f"WHERE {of_learner}{lock}) k ON TRUE"
            )
        else:
            selected = f", {records.sql}"
            joined = f" LEFT JOIN {table(LearnerRecord)} {mine} ON {of_learner}"
        selected += f", {history_sql(vendor)}"
    return (
        f"SELECT {activity.sql}, {learner.sql}, r.{column(Registration, 'issuer')}{selected} "
        f"FROM {table(Activity)} a "
        f"JOIN {table(Deployment)} d ON d.id = a.{deployment_of} "
        f"JOIN {table(Registration)} r ON r.id = d.{column(Deployment, 'registration')} "
        f"LEFT JOIN {table(LtiUser)} u "
        f"ON u.id = %s AND u.{registration_of} = d.{column(Deployment, 'registration')}"
        f"{joined} WHERE a.id = %s AND a.{deployment_of} = %s"
    )
