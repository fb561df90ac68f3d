"""The pages a launch opens: the activity, the staff view, a mentor's page, the picker."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from markupsafe import Markup

from koula import LearnerState, Part, learner_state_data
from koula.messages import gettext_for
from koula_ui.render import Around, render_activity, render_activity_page
from koula_ui.report_learners import learner_row, row_views
from lti.bearer import Grant, issue_token, sign_data
from lti.claims import CLAIM, LaunchData, is_staff, mentored_subs
from lti.errors import NotAllowed
from lti.selectors.activities import mentored_learners
from lti.services.activities import (
    activity_for_launch,
    launch_rows,
    launch_user,
    template_of,
    user_for_launch,
)
from lti.services.community import is_current_host
from lti.services.earlier_return import carried_for
from lti.services.experiment_calendar import calendar_token
from lti.services.series import LearnerRecords, learner_records
from lti.services.xapi import queue_launch
from lti.views.host_tools import host_tools
from lti.views.learner_data import learner_data_links
from lti.views.picker import picker_page
from lti.views.rendering import html_response, page, page_text
from lti.views.staff import staff_view


def activity_page(data: LaunchData, language: str) -> HttpResponse:
    activity_row, user_row = launch_rows(data)  # one statement
    activity = activity_for_launch(data, row=activity_row)
    user, new = launch_user(data, row=user_row)
    template = template_of(activity)
    if template is None or not activity.configured:
        return page("not_configured.html", language, title=activity.title)
    # The learner's record here and their states in the series' other sessions, in one
    # statement (none for a learner just created): the page's state, its erasure line and
    # the carried experiments read them.
    records = LearnerRecords(None, {}) if new else learner_records(activity, user)
    own = records.own
    state = learner_state_data(template, LearnerState.from_data(own.state if own else {}))
    queue_launch(activity, user, language)  # its xAPI statement, when an LRS is configured
    grant = Grant(user.pk, data.deployment_pk, activity.pk, language)
    context = {
        "api": f"{settings.BASE_URL}/lti/api/{activity.pk}",
        "token": issue_token(grant),
        "display_name": activity.title or template.title.get(language),
        "next_host": activity.next_host,
        "calendar": f"{settings.BASE_URL}/lti/calendar/{calendar_token(activity, user, language)}",
    }
    activity_arguments = {
        "template": template,
        "state": state,
        "language": language,
        "context": context,
        "uid": f"a{activity.pk}",
        "context_id": "koula-context",
        "auto_mount": True,
        "carried": carried_for(activity, user, records=records),
        "carried_forms": True,
        "calendar_url": context["calendar"],
        **learner_data_links(activity, user, language, record=own),
    }
    title = context["display_name"]
    if not is_current_host(activity, user):  # the page around the activity kept with it
        around = Around(
            ("activity_page.html", title, settings.BASE_URL),
            lambda fragment: page_text(
                "activity_page.html", language, title=title, activity_html=fragment, host=False
            ),
        )
        return html_response(render_activity_page(around, **activity_arguments), language)
    html = Markup(render_activity(**activity_arguments))
    html += host_tools(
        activity,
        template,
        language,
        api=context["api"],
        token=context["token"],
        viewer=user.sub,
    )
    return page("activity_page.html", language, title=title, activity_html=html, host=True)


def staff_page(data: LaunchData, language: str) -> HttpResponse:
    activity = activity_for_launch(data)
    viewer = user_for_launch(data).pk  # the report's links open for this staff member only
    if not activity.configured:
        signed = {"activity": activity.pk, "lang": language, "user": viewer}
        return picker_page(language, purpose="configure", token=sign_data(signed, "configure"))
    return staff_view(activity, language, viewer=viewer)


def mentor_page(data: LaunchData, language: str) -> HttpResponse:
    """A Mentor's read-only page: the progress of the learners its ``role_scope_mentor``
    claim names who started this activity (no answer of theirs), and no one else's."""
    _ = gettext_for(language)
    activity = activity_for_launch(data)
    title = activity.title or _("Koula activity")
    followed = mentored_subs(data.claim("role_scope_mentor"))
    if not followed:
        return page("mentor.html", language, title=title, followed=0)
    template = template_of(activity)
    if template is None or not activity.configured:
        return page("not_configured.html", language, title=activity.title)
    found = mentored_learners(activity, followed)
    rows = [learner_row(template, sub, state, name=name) for sub, name, state in found]
    return page(
        "mentor.html",
        language,
        title=title,
        followed=len(followed),
        waiting=len(followed) - len(rows),
        rows=row_views(rows, None, None, _),
        experiment=Part.COMMITMENT in template.parts(),
        card_title=template.deliverable.title.get(language) or _("Practice card"),
    )


def deep_linking_page(data: LaunchData, language: str) -> HttpResponse:
    _ = gettext_for(language)
    if not is_staff(data.roles):
        raise NotAllowed(_("Only course staff can add activities."), language=language)
    dl = data.claim("deep_linking") or {}
    token = sign_data(
        {
            "registration": data.registration_id,
            "lang": language,
            "deployment": data.claims[CLAIM["deployment_id"]],
            "return": dl["deep_link_return_url"],
            "data": dl.get("data"),
        },
        "deep-link",
    )
    return picker_page(language, purpose="deep-link", token=token)
