"""What a learner page's access (its bearer token's :class:`~lti.bearer.Grant`) opens."""

from __future__ import annotations

from functools import cache

from koula.messages import N_, translate
from lti.bearer import Grant
from lti.errors import ActivityGone, NotAllowed, NotAuthenticated
from lti.models import Activity, Deployment, LtiUser, Registration
from lti.services.raw_rows import Columns, column, database, driver_cursor, table

__all__ = ["check_grant", "granted_activity", "granted_learner"]

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
    check_grant(grant, activity_id)
    activity, learner = _columns()
    db = database()
    with driver_cursor() as cursor:
        cursor.execute(_granted_sql(db.vendor), [grant.user_id, activity_id, grant.deployment_id])
        row = cursor.fetchone()
    if row is None:  # removed since the page opened (the grant names its deployment)
        message = translate(grant.language, GONE)
        raise ActivityGone(message, language=grant.language, detail=f"activity {activity_id} gone")
    issuer = row[-1]
    if row[activity.width] is None:  # no such learner on the activity's platform
        raise NotAuthenticated(translate(grant.language, ERASED), language=grant.language)
    user = learner.instance(row[activity.width : -1])
    registration = [user.registration_id, issuer]
    user.registration = Registration.from_db(db.alias, ["id", "issuer"], registration)
    return activity.instance(row[: activity.width]), user


@cache
def _columns() -> tuple[Columns[Activity], Columns[LtiUser]]:
    return Columns(Activity, "a"), Columns(LtiUser, "u")


@cache
def _granted_sql(vendor: str) -> str:
    activity, learner = _columns()
    deployment_of, registration_of = column(Activity, "deployment"), column(LtiUser, "registration")
    return (
        f"SELECT {activity.sql}, {learner.sql}, r.{column(Registration, 'issuer')} "
        f"FROM {table(Activity)} a "
        f"JOIN {table(Deployment)} d ON d.id = a.{deployment_of} "
        f"JOIN {table(Registration)} r ON r.id = d.{column(Deployment, 'registration')} "
        f"LEFT JOIN {table(LtiUser)} u "
        f"ON u.id = %s AND u.{registration_of} = d.{column(Deployment, 'registration')} "
        f"WHERE a.id = %s AND a.{deployment_of} = %s"
    )
