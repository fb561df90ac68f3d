"""The CSV export of an activity, downloaded from the staff view with a signed link."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from koula.export import stream_csv
from koula.messages import translate
from lti.bearer import read_signed, sign_data
from lti.errors import NotAllowed
from lti.models import Activity
from lti.services.activities import template_of
from lti.services.reports import activity_learners
from lti.views.language import request_language

__all__ = ["LINK_SECONDS", "export_csv", "export_link"]

LINK_SECONDS = 3600


def export_link(activity: Activity) -> str:
    """Return the path of a one-hour download link for ``activity``'s CSV."""
    return f"/lti/report/{sign_data({'activity': activity.pk}, 'report')}/koula.csv"


@require_GET
def export_csv(request: HttpRequest, token: str) -> HttpResponse:
    signed = read_signed(token, "report", LINK_SECONDS)
    language = request_language(request)
    if not isinstance(signed, dict):
        raise NotAllowed(
            translate(
                language, "This download link has expired. Open the activity's staff view again."
            ),
            language=language,
        )
    activity = Activity.objects.get(pk=signed["activity"])
    template = template_of(activity)
    if template is None:
        raise NotAllowed(translate(language, "This activity is not set up yet."), language=language)
    response = StreamingHttpResponse(
        stream_csv(template, activity_learners(activity)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="koula-activity-{activity.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response
