"""The staff view's figures: the scores' delivery, who has started, and refused service URLs.

Each is one or two queries on the activity's rows; the roster (who is in the course) comes
from the platform through :func:`lti.services.rosters.activity_roster`, cached and bounded
in time, so a slow platform delays no staff view for long.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from lti.addresses import origin
from lti.models import Activity, Registration, ScoreOutbox
from lti.outbound import Transport, send
from lti.services.activities import activity_service_refusals
from lti.services.rosters import course_learners

__all__ = [
    "PROBLEMS_SHOWN",
    "DeliveryProblem",
    "LearnerCounts",
    "ServiceRefusal",
    "activity_registration",
    "delivery_problems",
    "learner_counts",
    "roster_learners",
    "roster_names",
    "score_counts",
    "service_refusals",
]

PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class DeliveryProblem:
    """A score the platform refused, or one still waiting after a failed attempt."""

    learner: str  # the learner's name, else their platform user id
    status: str
    attempts: int
    error: str


@dataclass(frozen=True)
class LearnerCounts:
    """Who has started the activity, against the course's roster when Koula could read it."""

    started: int  # learners with a record here
    roster: str  # "read"; "none": the launch named no roster; "unread": it could not be read
    in_course: int = 0  # learners (no staff role) on the roster
    started_in_course: int = 0

    @property
    def waiting(self) -> int:
        return self.in_course - self.started_in_course


@dataclass(frozen=True)
class ServiceRefusal:
    """A service URL of the launch that the tool refuses to call, because of its origin."""

    service: str  # "AGS line item", "AGS line items" or "NRPS roster"
    url: str
    origin: str | None  # None when the URL is not an http(s) URL
    client_id: str  # the registration's, for the command that trusts the origin


def activity_registration(activity: Activity) -> Registration:
    """The registration (platform) of ``activity``'s deployment."""
    return Registration.objects.get(deployments=activity.deployment_id)


def score_counts(activity: Activity) -> dict[str, int]:
    """How many of ``activity``'s outbox rows are in each status (every status, 0 included)."""
    counts = dict(activity.scores.values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in ScoreOutbox.Status.values}


def delivery_problems(activity: Activity, *, limit: int = PROBLEMS_SHOWN) -> list[DeliveryProblem]:
    """The refused scores, and the waiting ones that failed an attempt (at most ``limit``)."""
    rows = (
        activity.scores.select_related("user")
        .filter(status__in=[ScoreOutbox.Status.REFUSED, ScoreOutbox.Status.PENDING])
        .exclude(last_error="")
        .order_by("pk")[:limit]
    )
    return [
        DeliveryProblem(row.user.name or row.user.sub, row.status, row.attempts, row.last_error)
        for row in rows
    ]


def roster_learners(activity: Activity, *, transport: Transport = send) -> set[str] | None:
    """The platform user ids of the course's learners (members who would get the learner
    page: no staff role, and not a Mentor alone, such as a parent observing), or None
    when the roster cannot be had now (none offered, refused, failed, every slot busy)."""
    names = roster_names(activity, transport=transport)
    return None if names is None else set(names)


def roster_names(activity: Activity, *, transport: Transport = send) -> dict[str, str] | None:
    """The course's learners as :func:`roster_learners` finds them, each with the name the
    platform gave ("" when none); None when the roster cannot be had now."""
    return course_learners(activity, transport=transport)


def learner_counts(activity: Activity, learners: set[str] | None) -> LearnerCounts:
    """Who has started ``activity``, among ``learners`` (the roster's) when given."""
    if learners is None:
        started = activity.records.count()
        return LearnerCounts(started, "unread" if activity.memberships_url else "none")
    started_subs = set(activity.records.values_list("user__sub", flat=True))
    return LearnerCounts(len(started_subs), "read", len(learners), len(learners & started_subs))


def service_refusals(activity: Activity) -> list[ServiceRefusal]:
    """The service URLs of ``activity``'s launches that the tool refuses to call."""
    registration = activity_registration(activity)
    refusals = []
    for service, url, _reason in activity_service_refusals(activity, registration):
        try:
            found: str | None = origin(url)
        except ValueError:
            found = None
        refusals.append(ServiceRefusal(service, url, found, registration.client_id))
    return refusals
