"""The staff view's figures in words: settings, delivery statuses, who has started, and why a
service URL of the launch was not called (from :mod:`lti.selectors.staff`)."""

from __future__ import annotations

from typing import Any

from koula import SessionTemplate
from koula.messages import N_, gettext_for
from lti.models import Activity
from lti.selectors.staff import LearnerCounts, ServiceRefusal
from lti.services.activities import activity_settings

__all__ = ["STATUS_LABELS", "learners_line", "refusal_sentence", "settings_rows"]

STATUS_LABELS = {
    "pending": N_("Waiting to be sent"),
    "delivered": N_("Delivered"),
    "superseded": N_("Replaced by a newer score"),
    "refused": N_("Refused by the platform"),
}


def settings_rows(
    activity: Activity, template: SessionTemplate, language: str
) -> list[tuple[str, Any]]:
    """The activity's settings as the staff view lists them: (label, value) rows."""
    _ = gettext_for(language)
    policy = template.scoring
    window = template.experiment.return_window_days if template.experiment else "—"
    reminder = activity_settings(activity).reminder_days_before() if template.experiment else "—"
    return [
        (_("Session template"), template.title.get(language)),
        (_("Return window (days)"), window),
        (_("Reminder e-mail, days before the due date"), reminder),
        (
            _("Weights (card, commitment, return)"),
            f"{policy.deliverable:g} / {policy.commitment:g} / {policy.return_:g}",
        ),
        (_("Maximum score in the gradebook"), f"{activity.score_maximum:g}"),
    ]


def refusal_sentence(refusal: ServiceRefusal, _: Any) -> str:
    """Why Koula did not call one of the launch's service URLs, and how to let it."""
    names = {
        "AGS line item": _("grades (AGS line item)"),
        "AGS line items": _("grades (AGS line items)"),
        "NRPS roster": _("roster (NRPS)"),
    }
    if refusal.origin is None:
        return _(
            "Koula did not call the platform's {service} service: its address {url} "
            "is not an http(s) URL."
        ).format(service=names[refusal.service], url=refusal.url)
    return _(
        "Koula did not call the platform's {service} service at {url}: its origin "
        "{origin} is not one this platform's registration trusts. If it is the "
        "platform's, an administrator can trust it with: koula platforms "
        "trust-origin {client_id} {origin}"
    ).format(
        service=names[refusal.service],
        url=refusal.url,
        origin=refusal.origin,
        client_id=refusal.client_id,
    )


def learners_line(counts: LearnerCounts, _: Any) -> str:
    """Who has started, against the course's roster when Koula could read it."""
    if counts.roster == "unread":  # refused, failed, or every slot busy
        return _(
            "{started} learner(s) have started. (Koula could not read the platform's roster "
            "this time, so it cannot count who has not.)"
        ).format(started=counts.started)
    if counts.roster == "none":
        return _(
            "{started} learner(s) have started. (The platform offers no roster here, so "
            "Koula cannot count who has not.)"
        ).format(started=counts.started)
    return _(
        "{total} learner(s) in the course: {started} started, {waiting} not started yet."
    ).format(total=counts.in_course, started=counts.started_in_course, waiting=counts.waiting)
