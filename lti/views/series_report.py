"""The course's series in the staff view, and the series report and CSV behind its links.

:func:`series_parts` gives the staff view what it shows of the series: the sessions in
order (date, template, host, participants, cards, commitments, returns; this one marked),
the forms to set this session's date and to nudge late learners (helper endpoint
``/lti/nudge``), the reminders' reach, and the host's check-in for the run-sheet. The
series report (``{base}/lti/report/<link>/series``) and the series CSV
(``.../koula-series.csv``) open like the activity's report links
(:mod:`lti.views.report`): only for the staff member who opened the staff view, for
``KOULA_REPORT_LINK_SECONDS``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markupsafe import Markup

from koula import (
    Actor,
    CheckIn,
    SeriesReport,
    check_in,
    series_report,
    stream_series_csv,
)
from koula.messages import gettext_for, translate
from koula_ui.report_series import render_series_report
from koula_ui.report_series_views import session_rows
from lti.bearer import sign_data
from lti.models import Activity
from lti.selectors.series import overdue_learners, series_reach
from lti.selectors.staff import roster_names
from lti.services.series import ActivitySeries
from lti.views.rendering import page
from lti.views.report import link_minutes, open_link, private, spend_ticket

__all__ = ["series_csv", "series_page", "series_parts", "series_window", "staff_check_in"]

SERIES_FILE = "koula-series.csv"


def series_parts(activity: Activity, language: str, *, viewer: int | None) -> dict[str, Any]:
    """What the staff view shows of ``activity``'s series, for staff member ``viewer``."""
    series = ActivitySeries(activity)
    found = series_report(series)
    today = series.now().date()
    overdue = overdue_learners(activity, today=today)
    signed = {"activity": activity.pk, "lang": language, "user": viewer}
    return {
        "series_rows": _rows(found, str(activity.pk), language),
        "session_date": activity.session_date.isoformat() if activity.session_date else "",
        "date_token": sign_data(signed, "session-date"),
        "reach": series_reach(activity),
        "overdue": overdue,
        "nudge_token": sign_data(signed, "nudge") if overdue else "",
        "check_in": staff_check_in(series, activity, language),
    }


def staff_check_in(series: ActivitySeries, activity: Activity, language: str) -> CheckIn:
    """The run-sheet's check-in as staff see it: every commitment of the earlier sessions."""
    viewer = Actor(None, staff=True)
    return check_in(series, session_id=str(activity.pk), viewer=viewer, language=language)


def _rows(report: SeriesReport, current: str, language: str) -> list[dict[str, Any]]:
    """The series table's rows: the report's session rows, with the template and this one."""
    rows = session_rows(report.sessions, language, gettext_for(language))
    return [
        {
            **vars(row),
            "dated": found.session.session_date is not None,
            "template": found.session.template.title.get(language),
            "current": found.session.id == current,
        }
        for row, found in zip(rows, report.sessions, strict=True)
    ]


def _report_html(report: SeriesReport, activity: Activity, language: str, csv_url: str) -> Markup:
    return Markup(
        render_series_report(report, language=language, uid=f"s{activity.pk}", csv_url=csv_url)
    )


@require_GET
def series_page(request: HttpRequest, link: str) -> HttpResponse:
    """The series report of the activity's course, in a window of its own."""
    opened = open_link(request, link)
    language = opened.grant.language
    report = series_report(ActivitySeries(opened.activity))
    return private(
        page(
            "series_page.html",
            language,
            title=translate(language, "Impact over time"),
            series_html=_report_html(report, opened.activity, language, opened.links.series_csv),
            report_url=opened.links.base,
            minutes=link_minutes(),
        )
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def series_csv(request: HttpRequest, link: str) -> HttpResponse:
    """The series CSV, streamed (GET with the page's token or a window's cookie, POST with a
    ticket): one row per learner per session, the course roster's learners included."""
    opened = open_link(request, link)
    lines = stream_series_csv(
        ActivitySeries(opened.activity),
        language=opened.grant.language,
        roster=roster_names(opened.activity),  # the course's: a row for who has not started
    )
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{SERIES_FILE}"'
    return private(response)


@csrf_exempt
@require_POST
def series_window(request: HttpRequest, link: str) -> HttpResponse:
    """A new window spends a ticket for its cookie, and goes to the series report."""
    return spend_ticket(request, link, "/series")
