"""Staff links from the staff view, signed for one activity: the CSV and a learner's answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from markupsafe import Markup

from koula.export import stream_csv
from koula.messages import translate
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula_ui.report import Gathered, render_gathered
from koula_ui.report_learners import learner_detail
from lti.bearer import read_signed, sign_data
from lti.errors import NotAllowed
from lti.models import Activity, LearnerRecord, ReportExport
from lti.rendering import page
from lti.services.activities import template_of
from lti.services.exports import export_file, request_export
from lti.services.reports import activity_learners, activity_report
from lti.views.language import request_language

__all__ = [
    "LINK_SECONDS",
    "export_csv",
    "export_download",
    "export_request",
    "export_status",
    "learner_detail_page",
    "report_html",
    "report_links",
]

LINK_SECONDS = 3600


def report_links(activity: Activity) -> tuple[str, str]:
    """Return the one-hour URLs of ``activity``'s CSV and of a learner's drill-down (a
    template with ``{learner_id}``), both signed for this activity only."""
    base = f"{settings.BASE_URL}/lti/report/{sign_data({'activity': activity.pk}, 'report')}"
    return f"{base}/koula.csv", base + "/learners/{learner_id}"


def _activity(request: HttpRequest, token: str) -> tuple[Activity, SessionTemplate, str]:
    signed = read_signed(token, "report", LINK_SECONDS)
    language = request_language(request)
    if not isinstance(signed, dict):
        raise NotAllowed(
            translate(language, "This link has expired. Open the activity's staff view again."),
            language=language,
        )
    activity = Activity.objects.get(pk=signed["activity"])
    template = template_of(activity)
    if template is None:
        raise NotAllowed(translate(language, "This activity is not set up yet."), language=language)
    return activity, template, language


@require_GET
def learner_detail_page(request: HttpRequest, token: str, learner_id: str) -> HttpResponse:
    """One learner's card, commitment and return, below the report (staff only)."""
    activity, template, language = _activity(request, token)
    record = (
        LearnerRecord.objects.filter(activity=activity, user__sub=learner_id)
        .select_related("user")
        .first()
    )
    if record is None:
        raise Http404(learner_id)
    state = LearnerState.from_data(record.state)
    found = activity_report(activity, template, roster_size=None)
    detail = learner_detail(template, learner_id, state, name=record.user.name or None)
    html = report_html(activity, template, found, language, detail=detail)
    return page("report_page.html", language, title=activity.title or "Koula", report_html=html)


def report_html(
    activity: Activity,
    template: SessionTemplate,
    found: Gathered,
    language: str,
    *,
    detail: dict[str, Any] | None = None,
) -> Markup:
    """Return the impact report of ``activity`` with its signed CSV and drill-down links."""
    csv_url, detail_url = report_links(activity)
    return Markup(
        render_gathered(
            found,
            template=template,
            language=language,
            uid=f"r{activity.pk}",
            csv_url=csv_url,
            detail_url_template=detail_url,
            detail=detail,
        )
    )


@require_GET
def export_csv(request: HttpRequest, token: str) -> HttpResponse:
    activity, template, _language = _activity(request, token)
    response = StreamingHttpResponse(
        stream_csv(template, activity_learners(activity)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="koula-activity-{activity.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def export_request(request: HttpRequest, token: str) -> HttpResponse:
    """Queue a CSV export of the activity in the background; go to its status page."""
    activity, _template, _language = _activity(request, token)
    export = request_export(activity)
    response = HttpResponseRedirect(f"{settings.BASE_URL}/lti/report/{token}/exports/{export.pk}")
    response.status_code = 303  # See Other: the status page is read with GET
    return response


def _export(request: HttpRequest, token: str, export_id: int) -> tuple[ReportExport, str]:
    activity, _template, language = _activity(request, token)
    export = ReportExport.objects.filter(pk=export_id, activity=activity).first()
    if export is None:  # another activity's export, or one already forgotten
        raise Http404(str(export_id))
    return export, language


@require_GET
def export_status(request: HttpRequest, token: str, export_id: int) -> HttpResponse:
    """Where the export is: queued, rows written so far, ready (with its link) or failed."""
    export, language = _export(request, token, export_id)
    ready = export_file(export) is not None
    download = f"{settings.BASE_URL}/lti/report/{token}/exports/{export.pk}/koula.csv"
    status = {
        "status": export.status,
        "rows_written": export.rows_written,
        "learners": export.learners,
        "download": download if ready else None,
    }
    if request.GET.get("format") == "json":
        return JsonResponse(status)
    return page("export_page.html", language, export=status, title=export.activity.title)


@require_GET
def export_download(request: HttpRequest, token: str, export_id: int) -> HttpResponse:
    export, _language = _export(request, token, export_id)
    path = export_file(export)
    if path is None:
        raise Http404(str(export_id))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"koula-activity-{export.activity_id}.csv",
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    return response
