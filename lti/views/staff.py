"""The staff view: run-sheet, report, next host, settings, scores' delivery, who has started."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from markupsafe import Markup

from koula import BadRequest, CheckIn, ImpactReport, SessionTemplate
from koula.messages import N_, gettext_for, translate
from koula_ui.render import render_activity
from koula_ui.strings import date_hint, date_pattern
from lti.bearer import Grant, read_signed, sign_data
from lti.errors import FormExpired, NotAllowed
from lti.models import Activity
from lti.selectors.staff import (
    LearnerCounts,
    delivery_problems,
    learner_counts,
    roster_names,
    score_counts,
    service_refusals,
)
from lti.selectors.xapi import xapi_delivery
from lti.services.activities import template_of
from lti.services.community import assign_next_host
from lti.services.reports import activity_report
from lti.services.session_dates import FIELD, set_session_date, shown_date
from lti.services.staff_forms import form_activity
from lti.views.host_tools import runsheet
from lti.views.language import request_language
from lti.views.learner_data import privacy_url, retention_days
from lti.views.rendering import page
from lti.views.report import report_html as report_fragment
from lti.views.report import report_links, report_script
from lti.views.series_report import series_parts
from lti.views.staff_words import STATUS_LABELS, learners_line, refusal_sentence, settings_rows

FORM_SECONDS = 3600
FORM_EXPIRED = N_("This form has expired. Open the activity again from your course.")


def staff_view(
    activity: Activity,
    language: str,
    *,
    viewer: int | None,
    host_error: str = "",
    typed_host: str | None = None,
    date_error: str = "",
    typed_date: str | None = None,
) -> HttpResponse:
    """The staff page for staff member ``viewer`` (an ``LtiUser`` id: the report's links open
    for them only; None shows no links); ``host_error`` and ``typed_host`` show a refused
    hand-over as typed, ``date_error`` and ``typed_date`` a refused session date."""
    _ = gettext_for(language)
    template = template_of(activity)
    roster = roster_names(activity)  # the platform's, cached and bounded in time
    series = series_parts(activity, language, viewer=viewer) if template else {}
    parts = _report_parts(activity, template, language, viewer, roster, series.get("check_in"))
    impact = parts.pop("impact")
    if typed_date is not None:
        series["session_date"] = typed_date
    elif "session_date" in series:  # the field shows it as staff type it: dd/mm/yyyy
        series["session_date"] = shown_date(series["session_date"])
    return page(
        "staff.html",
        language,
        # The platform's title, else the template's in the reader's language, as learners see it
        title=activity.title or (template.title.get(language) if template else _("Koula activity")),
        settings_rows=settings_rows(activity, template, language) if template else [],
        score_counts=[
            (_(STATUS_LABELS[status]), n) for status, n in score_counts(activity).items()
        ],
        problems=[
            {**vars(problem), "status": _(STATUS_LABELS[problem.status])}
            for problem in delivery_problems(activity)
        ],
        learners_line=learners_line(_learner_counts(activity, roster, impact), _),
        service_refusals=[refusal_sentence(refusal, _) for refusal in service_refusals(activity)],
        preview_html=_preview(template, language) if template else "",
        activity_id=activity.pk,
        context_id=activity.context_id,
        next_host=activity.next_host if typed_host is None else typed_host,
        host_error=host_error,
        host_token=sign_data(
            {"activity": activity.pk, "lang": language, "user": viewer}, "next-host"
        ),
        date_error=date_error,
        date_hint=date_hint(_),
        date_pattern=date_pattern(_),
        xapi=xapi_delivery(activity),
        retention_days=retention_days(),
        privacy_url=privacy_url(language),
        **series,
        **parts,
    )


def _report_parts(
    activity: Activity,
    template: SessionTemplate | None,
    language: str,
    viewer: int | None,
    roster: dict[str, str] | None,
    check_in: CheckIn | None,
) -> dict[str, Any]:
    """The report (with its links for ``viewer``), the run-sheet and the volunteers, and
    the report's figures (``impact``, None without a template)."""
    if template is None:
        return {
            "impact": None,
            "report_access": None,
            "report_html": Markup(""),
            "runsheet_html": Markup(""),
            "volunteers": [],
        }
    grant = Grant(viewer, activity.deployment_id, activity.pk, language) if viewer else None
    links = report_links(grant) if grant else None
    found = activity_report(activity, template, roster=roster)
    return {
        "impact": found.report,
        "report_access": report_script(grant, links) if grant and links else None,
        "report_html": report_fragment(activity, template, found, language, links=links),
        # Staff hand over with the page's own form (it works without script).
        "runsheet_html": runsheet(
            activity, template, language, found.volunteers, check_in=check_in
        ),
        "volunteers": found.volunteers,
    }


def _learner_counts(
    activity: Activity, roster: dict[str, str] | None, impact: ImpactReport | None
) -> LearnerCounts:
    """Who has started, as the report counts it (any draft or part done; against the
    roster when read), so that the staff view and the report say the same."""
    counts = learner_counts(activity, None if roster is None else set(roster))
    if impact is None:
        return counts
    started = impact.started.count
    if impact.not_started is None:
        return replace(counts, started=started)
    return LearnerCounts(started, "read", impact.not_started.of, started)


def _preview(template: SessionTemplate, language: str) -> Markup:
    return Markup(
        render_activity(
            template=template,
            state={},
            language=language,
            context={},
            uid="staff-preview",
            preview=True,
        )
    )


@csrf_exempt
@require_POST
def next_host_submit(request: HttpRequest) -> HttpResponse:
    """Staff confirm (or assign) who hosts the next session; learners then see it."""
    signed, language, viewer = _staff_form(request, "next-host")
    try:
        activity = assign_next_host(signed["activity"], request.POST.get("next_host"), language)
    except BadRequest as error:
        refused = staff_view(
            form_activity(signed["activity"], language),
            language,
            host_error=error.errors["next_host"],
            typed_host=request.POST.get("next_host", ""),
            viewer=viewer,
        )
        refused.status_code = 400
        return refused
    return staff_view(activity, language, viewer=viewer)


@csrf_exempt
@require_POST
def session_date_submit(request: HttpRequest) -> HttpResponse:
    """Staff set (or clear) the session's date, which orders the course's series."""
    signed, language, viewer = _staff_form(request, "session-date")
    typed = request.POST.get(FIELD, "")
    try:
        activity = set_session_date(signed["activity"], typed, language=language)
    except BadRequest as error:
        refused = staff_view(
            form_activity(signed["activity"], language),
            language,
            date_error=error.errors[FIELD],
            typed_date=typed[:40],
            viewer=viewer,
        )
        refused.status_code = 400
        return refused
    return staff_view(activity, language, viewer=viewer)


def _staff_form(request: HttpRequest, purpose: str) -> tuple[dict[str, Any], str, int | None]:
    """Return a staff form's signed data, its language and the staff member who sent it;
    raise NotAllowed (403) when its token is forged or expired."""
    signed = read_signed(request.POST.get("token", ""), purpose, FORM_SECONDS)
    if not isinstance(signed, dict):  # forged, or expired: not this staff member's to send
        language = request_language(request)
        raise NotAllowed(translate(language, FORM_EXPIRED), language=language)
    viewer = signed.get("user") if isinstance(signed.get("user"), int) else None
    return signed, str(signed["lang"]), viewer


def form_expired(language: str) -> FormExpired:
    """The picker's refusal of a form whose token expired (or was never ours): 400."""
    message = translate(language, FORM_EXPIRED)
    return FormExpired(message, language=language, detail="form token refused")
