"""The pages a reminder e-mail leads to, and staff's nudge.

* ``GET /lti/reminders/return/<token>``: the one-click return link. A normal page, outside
  the LMS, with the learner's activity and its return form; the page's bearer token is the
  one a launch gives (:func:`lti.bearer.issue_token`), so the return goes through the
  learner API and its score reaches the gradebook through the outbox. A forged or expired
  link, or a deleted activity, is a 4xx page with the course link when known.
* ``GET|POST /lti/reminders/unsubscribe/<token>``: GET only asks (mail scanners fetch
  links), POST turns the reminders off, or back on (``action=resubscribe``); a mail
  program's one-click POST (RFC 8058) turns them off too.
* ``POST /lti/nudge``: the staff view's "Nudge late learners" form sends a reminder now to
  the activity's late learners, once a day each: at most NUDGE_LIMIT letters, none begun
  after NUDGE_SENDING_SECONDS, and none after the mail server could not be reached (one
  ``KOULA_EMAIL_TIMEOUT``); the page says how many are still to nudge.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markupsafe import Markup

from koula.messages import N_, translate
from koula_ui.render import render_activity
from lti.bearer import issue_token, read_signed
from lti.errors import NotAllowed
from lti.services.activities import template_of
from lti.services.learner import learner_state
from lti.services.reminder_links import return_link_grant, subscription_set, unsubscribe_link_user
from lti.services.reminders import UNREACHABLE, nudge_late
from lti.views.language import request_language
from lti.views.reminder_mail import compose_reminder
from lti.views.rendering import page

__all__ = ["nudge_submit", "return_page", "unsubscribe_page"]

NUDGE_SECONDS = 3600  # as long as the staff view's other forms (lti/views/staff.py)
NUDGE_LIMIT = 50
"""Letters one nudge sends at most: the request must end well within the web timeout."""
NUDGE_SENDING_SECONDS = 10.0
"""No new letter after this long (a slow mail server); the page says how many remain."""
NUDGE_EXPIRED = N_("This form has expired. Open the activity again from your course.")


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@require_GET
def return_page(request: HttpRequest, token: str) -> HttpResponse:
    """The learner's activity, opened from a reminder, with its return form."""
    grant, activity = return_link_grant(token, today=_today(), language=request_language(request))
    template = template_of(activity)
    state = learner_state(activity, grant.user_id)
    assert template is not None and state is not None  # return_link_grant checked the template
    title = activity.title or template.title.get(grant.language)
    context = {
        "api": f"{settings.BASE_URL}/lti/api/{activity.pk}",
        "token": issue_token(grant),
        "display_name": title,
        "next_host": activity.next_host,
    }
    html = render_activity(
        template=template,
        state=state,
        language=grant.language,
        context=context,
        uid=f"a{activity.pk}",
        context_id="koula-context",
        auto_mount=True,
    )
    return page(
        "reminder_return.html",
        grant.language,
        title=title,
        activity_html=Markup(html),
        course_url=activity.course_url,
    )


@csrf_exempt  # the signed link is the authority; no session, no cookie
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page that asks; POST: reminders off (or on again with ``action=resubscribe``)."""
    user, language = unsubscribe_link_user(token, language=request_language(request))
    done = ""
    if request.method == "POST":
        subscribed = request.POST.get("action") == "resubscribe"
        user = subscription_set(user, subscribed=subscribed)
        done = "resubscribed" if subscribed else "unsubscribed"
    return page(
        "reminder_unsubscribe.html",
        language,
        unsubscribed=user.unsubscribed_at is not None,
        done=done,
    )


@csrf_exempt  # the signed token is the staff member's authority, as for the other staff forms
@require_POST
def nudge_submit(request: HttpRequest) -> HttpResponse:
    """Send a reminder now to the activity's late learners; say how many were reached."""
    signed = read_signed(request.POST.get("token", ""), "nudge", NUDGE_SECONDS)
    if not isinstance(signed, dict) or not isinstance(signed.get("activity"), int):
        language = request_language(request)
        raise NotAllowed(translate(language, NUDGE_EXPIRED), language=language)
    language = str(signed.get("lang") or "en")
    started = time.monotonic()
    activity, done = nudge_late(
        activity_id=signed["activity"],
        today=_today(),
        compose=compose_reminder,
        language=language,
        limit=NUDGE_LIMIT,
        should_stop=lambda: time.monotonic() - started > NUDGE_SENDING_SECONDS,
    )
    return page(
        "reminder_nudged.html",
        language,
        title=activity.title,
        done=done,
        unreachable=done.stopped == UNREACHABLE,
    )
