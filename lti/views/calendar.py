"""``GET /lti/calendar/<link>``: "Add to my calendar", the learner's experiment as an ``.ics``.

The link is signed for one learner and one activity (:mod:`lti.services.experiment_calendar`),
so a plain ``<a href download>`` in the platform's cookie-less iframe opens it. Refusals are
raised for :class:`lti.views.errors.LtiErrorMiddleware`: 403 for a forged or expired link,
409 before the learner committed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from lti.services.experiment_calendar import CALENDAR_FILE, experiment_calendar

__all__ = ["calendar_file"]


@require_GET
def calendar_file(request: HttpRequest, link: str) -> HttpResponse:
    text, language = experiment_calendar(link)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{CALENDAR_FILE}"'
    response["Content-Language"] = language
    response["Cache-Control"] = "private, no-store"
    return response
