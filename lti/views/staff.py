"""The staff view: the activity's settings, its scores' delivery, and who has started."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpResponse
from markupsafe import Markup

from koula.messages import gettext_for
from koula_ui.render import render_activity
from lti.claims import is_staff
from lti.models import Activity, Deployment
from lti.nrps import RosterUnavailable, roster
from lti.rendering import page
from lti.services.activities import template_of
from lti.views.report import export_link


def staff_view(activity: Activity, language: str) -> HttpResponse:
    _ = gettext_for(language)
    template = template_of(activity)
    settings_rows: list[tuple[str, Any]] = []
    if template is not None:
        policy = template.scoring
        window = template.experiment.return_window_days if template.experiment else "—"
        settings_rows = [
            (_("Session template"), template.title.get(language)),
            (_("Return window (days)"), window),
            (
                _("Weights (card, commitment, return)"),
                f"{policy.deliverable:g} / {policy.commitment:g} / {policy.return_:g}",
            ),
            (_("Maximum score in the gradebook"), f"{activity.score_maximum:g}"),
        ]
    labels = {
        "pending": _("Waiting to be sent"),
        "delivered": _("Delivered"),
        "superseded": _("Replaced by a newer score"),
        "refused": _("Refused by the platform"),
    }
    counts = dict(activity.scores.values_list("status").annotate(n=Count("pk")))
    score_counts = [(labels[status], counts.get(status, 0)) for status in labels]
    problems = [
        {
            "learner": row.user.name or row.user.sub,
            "status": labels[row.status],
            "attempts": row.attempts,
            "error": row.last_error,
        }
        for row in activity.scores.select_related("user")
        .filter(status__in=["refused", "pending"])
        .exclude(last_error="")[:50]
    ]
    started = activity.records.count()
    learners_line = _learners_line(activity, started, _)
    preview_html = ""
    if template is not None:
        preview_html = Markup(
            render_activity(
                template=template,
                state={},
                language=language,
                context={},
                uid="staff-preview",
                preview=True,
            )
        )
    return page(
        "staff.html",
        language,
        title=activity.title or _("Koula activity"),
        settings_rows=settings_rows,
        score_counts=score_counts,
        problems=problems,
        learners_line=learners_line,
        preview_html=preview_html,
        activity_id=activity.pk,
        csv_url=settings.BASE_URL + export_link(activity) if template is not None else "",
    )


def _learners_line(activity: Activity, started: int, _: Any) -> str:
    deployment = Deployment.objects.select_related("registration").get(pk=activity.deployment_id)
    try:
        members = roster(deployment.registration, activity.memberships_url)
    except RosterUnavailable:
        return _(
            "{started} learner(s) have started. (The platform offers no roster here, so "
            "Koula cannot count who has not.)"
        ).format(started=started)
    learner_subs = {
        str(m.get("user_id")) for m in members if not is_staff([str(r) for r in m.get("roles", [])])
    }
    started_subs = set(activity.records.values_list("user__sub", flat=True))
    return _(
        "{total} learner(s) in the course: {started} started, {waiting} not started yet."
    ).format(
        total=len(learner_subs),
        started=len(learner_subs & started_subs),
        waiting=len(learner_subs - started_subs),
    )
