"""OIDC login and the launch: the activity page for learners, the staff view for staff."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from koula.messages import gettext_for, pick_language
from lti.claims import DEEP_LINKING, LaunchData, is_staff
from lti.errors import LaunchRefused
from lti.services.id_token import validate_launch
from lti.services.login import LOGIN_SECONDS, login_redirect
from lti.views.pages import activity_page, deep_linking_page, staff_page

STATE_COOKIE = "koula_lti_state"


def request_language(request: HttpRequest) -> str:
    return pick_language(
        *[part.split(";")[0] for part in request.headers.get("Accept-Language", "").split(",")]
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    url, state = login_redirect(params, language=request_language(request))
    response = HttpResponseRedirect(url)
    secure = settings.BASE_URL.startswith("https://")
    attributes = "; SameSite=None; Secure; Partitioned" if secure else "; SameSite=Lax"
    response["Set-Cookie"] = (
        f"{STATE_COOKIE}={state}; Max-Age={LOGIN_SECONDS}; Path=/lti/; HttpOnly{attributes}"
    )
    return response


@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    language = request_language(request)
    _ = gettext_for(language)
    id_token, state = request.POST.get("id_token", ""), request.POST.get("state", "")
    if not id_token or not state:
        raise LaunchRefused(
            _("This launch is incomplete. Open the activity again from your course."),
            language=language,
            detail="no id_token or state",
        )
    cookie = request.COOKIES.get(STATE_COOKIE)
    if cookie is not None and cookie != state:
        raise LaunchRefused(
            _(
                "This launch was started in another window. Open the activity "
                "again from your course."
            ),
            language=language,
            detail="state cookie mismatch",
        )
    data = validate_launch(id_token, state, language=language)
    language = pick_language(data.locale, language)
    response = _page(data, language)
    response.delete_cookie(STATE_COOKIE, path="/lti/")
    return response


def _page(data: LaunchData, language: str) -> HttpResponse:
    if data.message_type == DEEP_LINKING:
        return deep_linking_page(data, language)
    if is_staff(data.roles):
        return staff_page(data, language)
    return activity_page(data, language)


def error_page(message: str, language: str, status: int) -> HttpResponse:
    html = render_to_string("lti/error.html", {"message": message, "language": language})
    return HttpResponse(html, status=status)
