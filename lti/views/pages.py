"""The pages a launch opens: the activity, the staff view, and the activity picker."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from markupsafe import Markup

from koula.library import library_templates
from koula.messages import gettext_for
from koula_ui.render import render_activity
from lti.bearer import Grant, issue_token, read_signed, sign_data
from lti.claims import CLAIM, LaunchData, is_staff
from lti.errors import NotAllowed
from lti.models import Activity, Deployment, Registration
from lti.nrps import RosterUnavailable, roster
from lti.rendering import page
from lti.services.activities import activity_for_launch, template_of, user_for_launch
from lti.services.deep_linking import deep_linking_response
from lti.services.learner import learner_state
from lti.services.picker import Choice, default_title, read_choice

FORM_SECONDS = 3600


def activity_page(data: LaunchData, language: str) -> HttpResponse:
    activity, user = activity_for_launch(data), user_for_launch(data)
    template = template_of(activity)
    state = learner_state(activity, user.pk)
    if template is None or state is None or not activity.configured:
        return page("not_configured.html", language, title=activity.title)
    grant = Grant(user.pk, data.deployment_pk, activity.pk, language)
    context = {
        "api": f"{settings.BASE_URL}/lti/api/{activity.pk}",
        "token": issue_token(grant),
        "display_name": activity.title or template.title.get(language),
    }
    html = Markup(
        render_activity(
            template=template,
            state=state,
            language=language,
            context=context,
            uid=f"a{activity.pk}",
            context_id="koula-context",
            auto_mount=True,
        )
    )
    return page("activity_page.html", language, title=context["display_name"], activity_html=html)


def staff_page(data: LaunchData, language: str) -> HttpResponse:
    activity = activity_for_launch(data)
    if not activity.configured:
        token = sign_data({"activity": activity.pk, "lang": language}, "configure")
        return _picker(
            language,
            token=token,
            action="/lti/configure",
            choice=Choice(),
            heading=gettext_for(language)("Set up this Koula activity"),
        )
    return _staff_view(activity, language)


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
    return _picker(
        language,
        token=token,
        action="/lti/deep-link",
        choice=Choice(),
        heading=_("Add a Koula activity"),
    )


@csrf_exempt
@require_POST
def deep_link_submit(request: HttpRequest) -> HttpResponse:
    signed = read_signed(request.POST.get("token", ""), "deep-link", FORM_SECONDS)
    if not isinstance(signed, dict):
        return _expired(request)
    language = str(signed["lang"])
    _ = gettext_for(language)
    choice = read_choice(request.POST, language=language)
    if choice.errors or request.POST.get("do") == "preview":
        return _picker(
            language,
            token=request.POST["token"],
            action="/lti/deep-link",
            choice=choice,
            heading=_("Add a Koula activity"),
            preview=request.POST.get("do") == "preview",
        )
    registration = Registration.objects.get(pk=signed["registration"])
    title = default_title(choice, language)
    jwt = deep_linking_response(
        registration, str(signed["deployment"]), signed.get("data"), choice, title
    )
    return page("deep_link_return.html", language, return_url=signed["return"], jwt=jwt)


@csrf_exempt
@require_POST
def configure_submit(request: HttpRequest) -> HttpResponse:
    signed = read_signed(request.POST.get("token", ""), "configure", FORM_SECONDS)
    if not isinstance(signed, dict):
        return _expired(request)
    language = str(signed["lang"])
    _ = gettext_for(language)
    choice = read_choice(request.POST, language=language)
    if choice.errors or request.POST.get("do") == "preview":
        return _picker(
            language,
            token=request.POST["token"],
            action="/lti/configure",
            choice=choice,
            heading=_("Set up this Koula activity"),
            preview=request.POST.get("do") == "preview",
        )
    activity = Activity.objects.get(pk=signed["activity"])
    activity.settings, activity.configured = choice.settings_data(), True
    activity.score_maximum = choice.score_maximum
    activity.title = activity.title or default_title(choice, language)
    activity.save()
    return _staff_view(activity, language)


def _expired(request: HttpRequest) -> HttpResponse:
    from lti.views.launch import request_language

    language = request_language(request)
    message = gettext_for(language)(
        "This form has expired. Open the activity again from your course."
    )
    return page("error.html", language, status=400, message=message)


def _picker(
    language: str, *, token: str, action: str, choice: Choice, heading: str, preview: bool = False
) -> HttpResponse:
    _ = gettext_for(language)
    templates = [
        {
            "id": t.id,
            "title": t.title.get(language),
            "summary": t.summary.get(language),
            "minutes": t.total_minutes(),
        }
        for t in library_templates()
    ]
    weights = choice.weights or (None, None, None)
    fields = [
        {
            "name": "title",
            "type": "text",
            "value": choice.title,
            "label": _("Title"),
            "hint": _("(empty: the template's title)"),
        },
        {
            "name": "return_window_days",
            "type": "number",
            "label": _("Return window (days)"),
            "value": choice.return_window_days or "",
            "hint": _("(empty: the template's)"),
        },
        {
            "name": "deliverable_weight",
            "type": "number",
            "value": _num(weights[0]),
            "label": _("Weight of the practice card"),
            "hint": _("(empty: the template's)"),
        },
        {
            "name": "commitment_weight",
            "type": "number",
            "value": _num(weights[1]),
            "label": _("Weight of the commitment"),
            "hint": _("(empty: the template's)"),
        },
        {
            "name": "return_weight",
            "type": "number",
            "value": _num(weights[2]),
            "label": _("Weight of the return"),
            "hint": _("(empty: the template's)"),
        },
        {
            "name": "score_maximum",
            "type": "number",
            "value": _num(choice.score_maximum),
            "label": _("Maximum score in the gradebook"),
            "hint": "",
        },
    ]
    preview_html = ""
    if preview and not choice.errors:
        from koula.activity import activity_template

        preview_html = Markup(
            render_activity(
                template=activity_template(choice.settings()),
                state={},
                language=language,
                context={},
                uid="preview",
                preview=True,
            )
        )
    return page(
        "picker.html",
        language,
        heading=heading,
        token=token,
        action=action,
        intro=_("Choose a session template and adapt it; the defaults work as they are."),
        templates=templates,
        choice=choice,
        fields=fields,
        errors=choice.errors,
        submit_label=_("Add this activity") if "deep" in action else _("Save"),
        preview_html=preview_html,
    )


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _staff_view(activity: Activity, language: str) -> HttpResponse:
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
    learners_line = _learners_line(activity, started, _)
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
        preview_html=preview_html,
    )


def _learners_line(activity: Activity, started: int, _: Any) -> str:
    deployment = Deployment.objects.select_related("registration").get(pk=activity.deployment_id)
    try:
        members = roster(deployment.registration, activity.memberships_url)
    except RosterUnavailable:
        return _(
            "{started} learner(s) have started. (The platform offers no roster here, so "
            "Koula cannot count who has not.)"
        ).format(started=started)
    learner_subs = {
        str(m.get("user_id")) for m in members if not is_staff([str(r) for r in m.get("roles", [])])
    }
    started_subs = set(activity.records.values_list("user__sub", flat=True))
    return _(
        "{total} learner(s) in the course: {started} started, {waiting} not started yet."
    ).format(
        total=len(learner_subs),
        started=len(learner_subs & started_subs),
        waiting=len(learner_subs - started_subs),
    )
