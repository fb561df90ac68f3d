"""Report and export links of the staff view: the CSV, a learner's answers, background exports
and the report in a new window.

Every URL is ``{base}/lti/report/<link>/...`` and opens only with the staff member's own
access, checked by :func:`lti.services.report_access.link_grant`: the staff view's script
sends its bearer token (and gets a single-use ticket for a download), a report window sends
its cookie. ``docs/lti.md`` ("Report and export links") says how.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markupsafe import Markup

from koula import LearnerState, SessionTemplate, stream_members_csv
from koula.messages import gettext_for, translate
from koula_ui.report import Gathered, render_detail, render_gathered
from koula_ui.report_learners import learner_detail
from lti.bearer import Grant, issue_staff_token
from lti.errors import NotAllowed
from lti.models import Activity, ReportExport
from lti.selectors.activities import activity_export, grant_activity, learner_answers
from lti.selectors.staff import roster_names
from lti.services.activities import template_of
from lti.services.exports import export_file, request_export
from lti.services.report_access import (
    COOKIE,
    REFUSED,
    Credentials,
    issue_ticket,
    link_grant,
    report_link,
    window_cookie,
)
from lti.services.reports import activity_members, activity_report
from lti.views.language import request_language
from lti.views.rendering import page

__all__ = [
    "Opened",
    "ReportLinks",
    "export_csv",
    "export_download",
    "export_request",
    "export_status",
    "learner_detail_page",
    "link_minutes",
    "open_link",
    "private",
    "report_html",
    "report_links",
    "report_page",
    "report_script",
    "report_ticket",
    "report_window",
    "spend_ticket",
]


@dataclass(frozen=True)
class ReportLinks:
    """The URLs under one ``<link>``."""

    base: str

    @property
    def csv(self) -> str:
        return f"{self.base}/koula.csv"

    @property
    def detail(self) -> str:
        """A learner's answers, a template with ``{learner_id}``."""
        return self.base + "/learners/{learner_id}"

    @property
    def exports(self) -> str:
        return f"{self.base}/exports"

    @property
    def series(self) -> str:
        """The series report of the activity's course."""
        return f"{self.base}/series"

    @property
    def series_csv(self) -> str:
        return f"{self.base}/koula-series.csv"


def report_links(grant: Grant) -> ReportLinks:
    """Return new report links for the staff member and activity of ``grant``."""
    return ReportLinks(f"{settings.BASE_URL}/lti/report/{report_link(grant)}")


def report_script(grant: Grant, links: ReportLinks) -> dict[str, Any]:
    """Return what the staff view's script needs to open ``links``: its token, URLs, words."""
    _ = gettext_for(grant.language)
    return {
        "token": issue_staff_token(grant),
        "csv": links.csv,
        "exports": links.exports,
        "tickets": f"{links.base}/tickets",
        "window": f"{links.base}/window",
        "series_csv": links.series_csv,
        "series_window": f"{links.base}/series-window",
        "learners": f"{links.base}/learners/",
        "minutes": link_minutes(),
        "i18n": {
            "refused": _(REFUSED),
            "network": _("Koula could not be reached. Check your connection and try again."),
            "error": _("Koula could not do this (error {status}). Try again in a moment."),
            "blocked": _("Your browser blocked the new window. Allow pop-ups, then try again."),
            "queued": _("Waiting for a worker to prepare the file…"),
            "running": _("Preparing the file: {rows} of {total} learners written."),
            "done": _("The file is ready: {rows} learners."),
            "failed": _(
                "The file could not be prepared. Try again; if it fails again, "
                "tell the tool's administrator."
            ),
        },
    }


def link_minutes() -> int:
    """How long report links live, in whole minutes (at least one)."""
    return max(int(settings.KOULA_REPORT_LINK_SECONDS) // 60, 1)


def report_html(
    activity: Activity,
    template: SessionTemplate,
    found: Gathered,
    language: str,
    *,
    links: ReportLinks | None,
    detail: dict[str, Any] | None = None,
) -> Markup:
    """Return the impact report of ``activity``, with the CSV and drill-down ``links``."""
    return Markup(
        render_gathered(
            found,
            template=template,
            language=language,
            uid=f"r{activity.pk}",
            csv_url=links.csv if links else None,
            detail_url_template=links.detail if links else None,
            detail=detail,
        )
    )


@dataclass(frozen=True)
class Opened:
    grant: Grant
    activity: Activity
    template: SessionTemplate
    links: ReportLinks


def open_link(request: HttpRequest, link: str) -> Opened:
    """Return what ``link`` opens with the request's credentials, or raise NotAllowed."""
    header = request.headers.get("Authorization", "")
    credentials = Credentials(
        bearer=header[7:] if header.startswith("Bearer ") else None,
        cookie=request.COOKIES.get(COOKIE),
        ticket=request.POST.get("ticket") if request.method == "POST" else None,
    )
    grant = link_grant(link, credentials, language=request_language(request))
    activity = grant_activity(grant)
    if activity is None:  # deleted since the page was opened
        raise Http404(str(grant.activity_id))
    template = template_of(activity)
    if template is None:
        message = translate(grant.language, "This activity is not set up yet.")
        raise NotAllowed(message, language=grant.language)
    return Opened(grant, activity, template, ReportLinks(f"{settings.BASE_URL}/lti/report/{link}"))


def private(response: HttpResponse) -> HttpResponse:
    """Learners' answers stay out of every cache."""
    response["Cache-Control"] = "no-store"
    return response


def _window_page(
    opened: Opened, detail: dict[str, Any] | None = None, *, roster: dict[str, str] | None
) -> HttpResponse:
    """The report as a page of its own, for a report window (links open with its cookie),
    against the course's ``roster`` as the staff view reads it."""
    found = activity_report(opened.activity, opened.template, roster=roster)
    language = opened.grant.language
    html = report_html(
        opened.activity, opened.template, found, language, links=opened.links, detail=detail
    )
    return private(
        page(
            "report_page.html",
            language,
            title=opened.activity.title or "Koula",
            report_html=html,
            exports_url=opened.links.exports,
            series_url=opened.links.series,
            minutes=link_minutes(),
        )
    )


@require_GET
def report_page(request: HttpRequest, link: str) -> HttpResponse:
    """The report in a window of its own."""
    opened = open_link(request, link)
    return _window_page(opened, roster=roster_names(opened.activity))


@require_GET
def learner_detail_page(request: HttpRequest, link: str, learner_id: str) -> HttpResponse:
    """One learner's card, commitment and return: alone with ``?fragment=1`` (for the staff
    view's script), else below the report."""
    opened = open_link(request, link)
    roster = roster_names(opened.activity)
    found = learner_answers(opened.activity, learner_id)
    if found is None and roster is not None and learner_id in roster:
        found = roster[learner_id], LearnerState()  # on the roster, not started
    if found is None:
        raise Http404(learner_id)
    name, state = found
    name = name or (roster or {}).get(learner_id, "")
    detail = learner_detail(opened.template, learner_id, state, name=name or None)
    if request.GET.get("fragment") != "1":
        return _window_page(opened, detail, roster=roster)
    html = render_detail(
        template=opened.template,
        detail=detail,
        language=opened.grant.language,
        uid=f"r{opened.activity.pk}",
    )
    return private(HttpResponse(html, content_type="text/html; charset=utf-8"))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def export_csv(request: HttpRequest, link: str) -> HttpResponse:
    """The CSV, streamed (GET with the page's token or a window's cookie, POST with a ticket)."""
    opened = open_link(request, link)
    response = StreamingHttpResponse(
        stream_members_csv(
            opened.template,
            activity_members(opened.activity),
            roster=roster_names(opened.activity),
        ),
        content_type="text/csv; charset=utf-8",
    )
    name = f"koula-activity-{opened.activity.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)


@csrf_exempt
@require_POST
def report_ticket(request: HttpRequest, link: str) -> JsonResponse:
    """A single-use ticket for a download or a report window (for the staff view's script)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):  # tickets come from the page's token only
        language = request_language(request)
        raise NotAllowed(translate(language, REFUSED), language=language, detail="no bearer")
    opened = open_link(request, link)
    response = JsonResponse({"ticket": issue_ticket(opened.grant)})
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def report_window(request: HttpRequest, link: str) -> HttpResponse:
    """A new window spends a ticket: its cookie opens new links, and it goes to the report."""
    return spend_ticket(request, link, "")


def spend_ticket(request: HttpRequest, link: str, then: str) -> HttpResponse:
    """Spend the posted ticket for a window's cookie, and go to ``then`` under a new link
    (``""``: the report, ``"/series"``: the series report)."""
    credentials = Credentials(ticket=request.POST.get("ticket", ""))
    grant = link_grant(link, credentials, language=request_language(request))
    fresh = report_link(grant)
    response = HttpResponseRedirect(f"{settings.BASE_URL}/lti/report/{fresh}{then}")
    response.status_code = 303  # See Other: the report is read with GET
    response.set_cookie(
        COOKIE,
        window_cookie(grant),
        max_age=settings.KOULA_REPORT_LINK_SECONDS,
        path=f"{urlsplit(settings.BASE_URL).path.rstrip('/')}/lti/report/{fresh}",
        secure=True,
        httponly=True,
        samesite="Lax",
    )
    return private(response)


@csrf_exempt
@require_POST
def export_request(request: HttpRequest, link: str) -> HttpResponse:
    """Queue a CSV export of the activity in the background: its status URL as JSON for the
    staff view's script, else go to its status page."""
    opened = open_link(request, link)
    export = request_export(opened.activity)
    status = f"{opened.links.exports}/{export.pk}"
    if "application/json" in request.headers.get("Accept", ""):
        return private(JsonResponse({"id": export.pk, "status": status}, status=202))
    response = HttpResponseRedirect(status)
    response.status_code = 303  # See Other: the status page is read with GET
    return private(response)


def _export(request: HttpRequest, link: str, export_id: int) -> tuple[ReportExport, Opened]:
    opened = open_link(request, link)
    export = activity_export(opened.activity, export_id)
    if export is None:  # another activity's export, or one already forgotten
        raise Http404(str(export_id))
    return export, opened


@require_GET
def export_status(request: HttpRequest, link: str, export_id: int) -> HttpResponse:
    """Where the export is: queued, rows written so far, ready (with its link) or failed."""
    export, opened = _export(request, link, export_id)
    ready = export_file(export) is not None
    status = {
        "status": export.status,
        "rows_written": export.rows_written,
        "learners": export.learners,
        "download": f"{opened.links.exports}/{export.pk}/koula.csv" if ready else None,
    }
    if request.GET.get("format") == "json":
        return private(JsonResponse(status))
    title = export.activity.title
    return private(page("export_page.html", opened.grant.language, export=status, title=title))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def export_download(request: HttpRequest, link: str, export_id: int) -> HttpResponse:
    """The prepared file (GET with the page's token or a window's cookie, POST with a ticket)."""
    export, _opened = _export(request, link, export_id)
    path = export_file(export)
    if path is None:
        raise Http404(str(export_id))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"koula-activity-{export.activity_id}.csv",
        content_type="text/csv; charset=utf-8",
    )
    return private(response)
