"""A learner's own data and the privacy notice (``docs/privacy.md``, ``docs/learner-api.md``).

* ``GET /lti/my-data/<link>``: "Download my answers" on the learner page, the learner's
  data in one activity as a JSON attachment; the link is signed for that learner and
  activity (:func:`lti.selectors.learner_data.data_token`), as the calendar link is, since a
  plain link in the platform's cookie-less iframe cannot send the bearer token.
* ``GET /lti/api/<activity>/my_data``: the same file with the page's bearer token
  (``Authorization: Bearer``), for scripts and integrators.
* ``GET /lti/privacy``: what Koula keeps, who sees it and for how long, in the language of
  ``?lang=`` (``fr`` or ``en``), else the browser's.

Refusals are raised for :class:`lti.views.errors.LtiErrorMiddleware`: 401 without a valid
token, 403 for another activity's token or a forged or expired link.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from koula.messages import N_, gettext_for, pick_language, translate
from koula_ui.strings import format_date
from lti.bearer import read_token
from lti.errors import NotAllowed, NotAuthenticated
from lti.models import Activity, LearnerRecord, LtiUser
from lti.selectors.learner_data import (
    DATA_FILE,
    activity_export,
    data_token,
    linked_export,
    record_erasure,
    retention_erasure,
)
from lti.services.grants import granted_activity
from lti.services.xapi import xapi_enabled
from lti.views.language import request_language
from lti.views.rendering import page

__all__ = ["learner_data_links", "my_data_api", "my_data_file", "privacy_page", "retention_days"]

LINK_REFUSED = N_(
    "This download link has expired or is not valid. Open the activity again from your "
    "course to download your answers."
)
EXPIRED = N_("Your access to this activity has expired. Reload the activity from your course.")


_UNREAD = object()


def learner_data_links(
    activity: Activity,
    user: LtiUser,
    language: str,
    *,
    record: LearnerRecord | object | None = _UNREAD,
) -> dict[str, Any]:
    """The learner page's data part (``koula_ui/templates/learner_data.html``): ``data_url``
    ("Download my answers"), ``privacy_url`` (the notice in the page's language) and
    ``erased_on`` (``{"date", "days"}`` when the retention pass erased the answers, else
    None). ``record`` is the learner's record in ``activity`` when the caller read it (None:
    they have none); it is read here otherwise."""
    if isinstance(record, LearnerRecord) or record is None:
        erased = record_erasure(record)
    else:
        erased = retention_erasure(activity, user)
    return {
        "data_url": f"{settings.BASE_URL}/lti/my-data/{data_token(activity, user, language)}",
        "privacy_url": privacy_url(language),
        "erased_on": {"date": format_date(erased.on, gettext_for(language)), "days": erased.days}
        if erased
        else None,
    }


def privacy_url(language: str) -> str:
    return f"{settings.BASE_URL}/lti/privacy?lang={language}"


def retention_days() -> int | None:
    """``KOULA_RETENTION_DAYS``, or None when answers are kept until erased on request."""
    return settings.KOULA_RETENTION_DAYS or None


@require_GET
def my_data_file(request: HttpRequest, link: str) -> HttpResponse:
    found = linked_export(link, now=dt.datetime.now(dt.UTC))
    if found is None:
        language = request_language(request)
        raise NotAllowed(translate(language, LINK_REFUSED), language=language)
    data, language = found
    return _attachment(data, language)


@require_GET
def my_data_api(request: HttpRequest, activity_id: int) -> HttpResponse:
    language = request_language(request)
    header = request.headers.get("Authorization", "")
    grant = read_token(header[7:]) if header.startswith("Bearer ") else None
    if grant is None:
        raise NotAuthenticated(translate(language, EXPIRED), language=language)
    activity = granted_activity(grant, activity_id)
    user = LtiUser.objects.filter(pk=grant.user_id).first()
    if user is None:  # erased since the page opened
        raise NotAllowed(translate(grant.language, LINK_REFUSED), language=grant.language)
    return _attachment(activity_export(activity, user, now=dt.datetime.now(dt.UTC)), language)


@require_GET
def privacy_page(request: HttpRequest) -> HttpResponse:
    language = pick_language(request.GET.get("lang", ""), request_language(request))
    return page(
        "privacy.html",
        language,
        retention_days=retention_days(),
        xapi=xapi_enabled(),
        xapi_email=bool(settings.KOULA_XAPI_ACTOR_EMAIL),
        other_language=("en" if language == "fr" else "fr"),
        other_url=privacy_url("en" if language == "fr" else "fr"),
    )


def _attachment(data: dict[str, Any], language: str) -> HttpResponse:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{DATA_FILE}"'
    response["Content-Language"] = language
    response["Cache-Control"] = "private, no-store"
    return response
