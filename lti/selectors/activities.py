"""Activities, exports and learners' records as the pages look them up."""

from __future__ import annotations

from koula import LearnerState
from lti.bearer import Grant
from lti.models import Activity, LearnerRecord, ReportExport
from lti.services.records import learner_rows

__all__ = [
    "activity_export",
    "grant_activity",
    "learner_answers",
    "mentored_learners",
]


def grant_activity(grant: Grant) -> Activity | None:
    """The activity of ``grant``, in its deployment; None when it is gone."""
    return Activity.objects.filter(pk=grant.activity_id, deployment_id=grant.deployment_id).first()


def activity_export(activity: Activity, export_id: int) -> ReportExport | None:
    """The export ``export_id`` of ``activity``; None for another activity's, or a forgotten one."""
    return ReportExport.objects.filter(pk=export_id, activity=activity).first()


def learner_answers(activity: Activity, learner_id: str) -> tuple[str, LearnerState] | None:
    """The name and state of the learner whose platform user id is ``learner_id``; None when
    they have not started ``activity``."""
    record = (
        LearnerRecord.objects.filter(activity=activity, user__sub=learner_id)
        .select_related("user")
        .first()
    )
    if record is None:
        return None
    return record.user.name, LearnerState.from_data(record.state)


def mentored_learners(activity: Activity, subs: list[str]) -> list[tuple[str, str, LearnerState]]:
    """``(user id, name, state)`` of the learners among ``subs`` who started ``activity``,
    by name (case folded), then user id."""
    rows = learner_rows(activity.records.filter(user__sub__in=subs))
    return sorted(rows, key=lambda row: (row[1].casefold() or row[0].casefold(), row[0]))
