"""The activity picker: deep linking (staff add Koula to a course) and first-launch setup.

Both forms carry a signed token naming what they may change; their defaults
are valid, so pressing Enter submits a working activity, and "Preview" shows
the activity under the same, still filled, form.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from markupsafe import Markup

from koula import DEFAULT_REMINDER_DAYS, activity_template, library_templates
from koula.messages import N_, gettext_for
from koula_ui.render import render_activity
from koula_ui.strings import date_hint, date_pattern
from lti.bearer import read_signed
from lti.services.activities import activity_configure
from lti.services.deep_linking import deep_linking_response
from lti.services.picker import Choice, default_title, read_choice
from lti.services.session_dates import shown_date
from lti.views.language import request_language
from lti.views.rendering import page
from lti.views.staff import form_expired, staff_view

FORM_SECONDS = 3600


HEADINGS = {"deep-link": N_("Add a Koula activity"), "configure": N_("Set up this Koula activity")}


def picker_page(
    language: str, *, purpose: str, token: str, choice: Choice | None = None, preview: bool = False
) -> HttpResponse:
    """Return the picker form for ``purpose`` (``deep-link`` or ``configure``)."""
    _ = gettext_for(language)
    choice = choice or Choice()
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
    template_default = _("(empty: the template's)")
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
            "hint": template_default,
        },
        {
            "name": "reminder_days",
            "type": "number",
            "label": _("Reminder e-mail, days before the due date"),
            "value": "" if choice.reminder_days is None else str(choice.reminder_days),
            "hint": _("(empty: {days}; 0: only on the due date)").format(
                days=DEFAULT_REMINDER_DAYS
            ),
        },
        {
            "name": "deliverable_weight",
            "type": "number",
            "value": _num(weights[0]),
            "label": _("Weight of the practice card"),
            "hint": template_default,
        },
        {
            "name": "commitment_weight",
            "type": "number",
            "value": _num(weights[1]),
            "label": _("Weight of the commitment"),
            "hint": template_default,
        },
        {
            "name": "return_weight",
            "type": "number",
            "value": _num(weights[2]),
            "label": _("Weight of the return"),
            "hint": template_default,
        },
        {
            # Text in the page's pattern: a browser's date field writes its own locale's.
            "name": "session_date",
            "type": "text",
            "value": shown_date(choice.session_date_text),
            "label": _("Session date"),
            "hint": _("(orders the course's sessions; empty: the order they were added)")
            + " "
            + date_hint(_),
            "placeholder": date_pattern(_),
        },
        {
            "name": "score_maximum",
            "type": "number",
            "value": _num(choice.score_maximum),
            "label": _("Maximum score in the gradebook"),
            "hint": "",
        },
    ]
    for field in fields:  # a refused value shows again as typed
        field["value"] = choice.typed.get(field["name"], field["value"])
    preview_html = Markup("")
    if preview and not choice.errors:
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
        heading=_(HEADINGS[purpose]),
        token=token,
        action=f"/lti/{purpose}",
        templates=templates,
        choice=choice,
        fields=fields,
        errors=choice.errors,
        preview_html=preview_html,
        intro=_("Choose a session template and adapt it; the defaults work as they are."),
        submit_label=_("Add this activity") if purpose == "deep-link" else _("Save"),
    )


@csrf_exempt
@require_POST
def deep_link_submit(request: HttpRequest) -> HttpResponse:
    answer = _submission(request, "deep-link")
    if isinstance(answer, HttpResponse):
        return answer
    signed, language, choice = answer
    title = default_title(choice, language)
    jwt = deep_linking_response(
        int(signed["registration"]),
        str(signed["deployment"]),
        signed.get("data"),
        choice,
        title,
        language=language,
    )
    return page("deep_link_return.html", language, return_url=signed["return"], jwt=jwt)


@csrf_exempt
@require_POST
def configure_submit(request: HttpRequest) -> HttpResponse:
    answer = _submission(request, "configure")
    if isinstance(answer, HttpResponse):
        return answer
    signed, language, choice = answer
    activity = activity_configure(int(signed["activity"]), choice, language=language)
    viewer = signed.get("user")
    return staff_view(activity, language, viewer=viewer if isinstance(viewer, int) else None)


def _submission(
    request: HttpRequest, purpose: str
) -> HttpResponse | tuple[dict[str, object], str, Choice]:
    """Return the form's signed data, language and valid choice, or the page to answer."""
    token = request.POST.get("token", "")
    signed = read_signed(token, purpose, FORM_SECONDS)
    if not isinstance(signed, dict):
        raise form_expired(request_language(request))
    language = str(signed["lang"])
    choice = read_choice(request.POST, language=language)
    preview = request.POST.get("do") == "preview"
    if choice.errors or preview:
        return picker_page(language, purpose=purpose, token=token, choice=choice, preview=preview)
    return signed, language, choice


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
