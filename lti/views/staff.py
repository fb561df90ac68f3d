"""The staff view: run-sheet, report, next host, settings, scores' delivery, who has started."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from markupsafe import Markup

from koula.errors import BadRequest
from koula.messages import gettext_for, translate
from koula.template import SessionTemplate
from koula_ui.handover import render_host_tools
from koula_ui.render import render_activity
from lti.addresses import origin
from lti.bearer import Grant, read_signed, sign_data
from lti.claims import is_staff
from lti.errors import NotAllowed
from lti.models import Activity, Deployment
from lti.rendering import page
from lti.services.activities import activity_service_refusals, template_of
from lti.services.community import activity_volunteers, assign_next_host
from lti.services.reports import activity_report
from lti.services.rosters import activity_roster
from lti.views.language import request_language
from lti.views.report import report_html as report_fragment
from lti.views.report import report_links, report_script

FORM_SECONDS = 3600


def staff_view(
    activity: Activity,
    language: str,
    *,
    viewer: int | None,
    host_error: str = "",
    typed_host: str | None = None,
) -> HttpResponse:
    """The staff page for staff member ``viewer`` (an ``LtiUser`` id: the report's links open
    for them only; None shows no links); ``host_error`` and ``typed_host`` show a refused
    hand-over as typed."""
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
    roster_subs = _roster_learners(activity)
    learners_line = _learners_line(activity, started, roster_subs, _)
    service_refusals = _service_refusals(activity, _)
    report_html = runsheet_html = Markup("")
    volunteers: list[str] = []
    report_access: dict[str, Any] | None = None
    if template is not None:
        grant = Grant(viewer, activity.deployment_id, activity.pk, language) if viewer else None
        links = report_links(grant) if grant else None
        report_access = report_script(grant, links) if grant and links else None
        found = activity_report(
            activity, template, roster_size=len(roster_subs) if roster_subs is not None else None
        )
        volunteers = found.volunteers
        report_html = report_fragment(activity, template, found, language, links=links)
        # Staff hand over with the page's own form below (it works without script).
        runsheet_html = _host_tools(activity, template, language, found.volunteers)
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
        service_refusals=service_refusals,
        preview_html=preview_html,
        activity_id=activity.pk,
        report_access=report_access,
        report_html=report_html,
        runsheet_html=runsheet_html,
        next_host=activity.next_host if typed_host is None else typed_host,
        host_error=host_error,
        volunteers=volunteers,
        host_token=sign_data(
            {"activity": activity.pk, "lang": language, "user": viewer}, "next-host"
        ),
    )


def _roster_learners(activity: Activity) -> set[str] | None:
    """Return the platform ids of the course's learners (not staff), or None without a roster."""
    deployment = Deployment.objects.select_related("registration").get(pk=activity.deployment_id)
    members = activity_roster(activity, deployment.registration)  # cached, bounded in time
    if members is None:
        return None
    return {
        str(m.get("user_id")) for m in members if not is_staff([str(r) for r in m.get("roles", [])])
    }


def _service_refusals(activity: Activity, _: Any) -> list[str]:
    """A sentence for each service URL of the launch that Koula refused to call, and why."""
    registration = (
        Deployment.objects.select_related("registration")
        .get(pk=activity.deployment_id)
        .registration
    )
    names = {
        "AGS line item": _("grades (AGS line item)"),
        "AGS line items": _("grades (AGS line items)"),
        "NRPS roster": _("roster (NRPS)"),
    }
    sentences = []
    for service, url, _reason in activity_service_refusals(activity, registration):
        try:
            found = origin(url)
        except ValueError:
            sentences.append(
                _(
                    "Koula did not call the platform's {service} service: its address {url} "
                    "is not an http(s) URL."
                ).format(service=names[service], url=url)
            )
            continue
        sentences.append(
            _(
                "Koula did not call the platform's {service} service at {url}: its origin "
                "{origin} is not one this platform's registration trusts. If it is the "
                "platform's, an administrator can trust it with: koula platforms "
                "trust-origin {client_id} {origin}"
            ).format(
                service=names[service],
                url=url,
                origin=found,
                client_id=registration.client_id,
            )
        )
    return sentences


def _learners_line(activity: Activity, started: int, learner_subs: set[str] | None, _: Any) -> str:
    if learner_subs is None and activity.memberships_url:  # refused, failed, or every slot busy
        return _(
            "{started} learner(s) have started. (Koula could not read the platform's roster "
            "this time, so it cannot count who has not.)"
        ).format(started=started)
    if learner_subs is None:
        return _(
            "{started} learner(s) have started. (The platform offers no roster here, so "
            "Koula cannot count who has not.)"
        ).format(started=started)
    started_subs = set(activity.records.values_list("user__sub", flat=True))
    return _(
        "{total} learner(s) in the course: {started} started, {waiting} not started yet."
    ).format(
        total=len(learner_subs),
        started=len(learner_subs & started_subs),
        waiting=len(learner_subs - started_subs),
    )


@csrf_exempt
@require_POST
def next_host_submit(request: HttpRequest) -> HttpResponse:
    """Staff confirm (or assign) who hosts the next session; learners then see it."""
    signed = read_signed(request.POST.get("token", ""), "next-host", FORM_SECONDS)
    if not isinstance(signed, dict):
        language = request_language(request)
        raise NotAllowed(
            translate(language, "This form has expired. Open the activity again from your course."),
            language=language,
        )
    language = str(signed["lang"])
    viewer = signed.get("user") if isinstance(signed.get("user"), int) else None
    try:
        activity = assign_next_host(signed["activity"], request.POST.get("next_host"), language)
    except BadRequest as error:
        refused = staff_view(
            Activity.objects.get(pk=signed["activity"]),
            language,
            host_error=error.errors["next_host"],
            typed_host=request.POST.get("next_host", ""),
            viewer=viewer,
        )
        refused.status_code = 400
        return refused
    return staff_view(activity, language, viewer=viewer)


def host_tools(
    activity: Activity, template: SessionTemplate, language: str, *, api: str, token: str
) -> Markup:
    """Return what the learner hosting the next session gets: the run-sheet and the hand-over."""
    return _host_tools(
        activity,
        template,
        language,
        activity_volunteers(activity),
        url=f"{api}/assign_host",
        token=token,
    )


def _host_tools(
    activity: Activity,
    template: SessionTemplate,
    language: str,
    volunteers: list[str],
    *,
    url: str | None = None,
    token: str | None = None,
) -> Markup:
    """The run-sheet, and the hand-over form when ``url`` is given (for the learner host)."""
    return Markup(
        render_host_tools(
            template=template,
            language=language,
            uid=f"h{activity.pk}",
            next_host=activity.next_host,
            volunteers=volunteers,
            url=url,
            token=token,
            for_learner=url is not None,
        )
    )
