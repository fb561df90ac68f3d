"""OIDC login and the launch: the activity for learners, the staff view, a mentor's page.

The launch must come back in the browser that logged in (``lti.md``, "Cookies inside
iframes"). The login sets a state cookie, ``SameSite=None; Secure; Partitioned`` (browsers
treat loopback hosts as secure, so the same attributes serve ``http://127.0.0.1``), or,
when the platform offers storage (``lti_storage_target``), answers a page that stores a
value in the platform. The launch checks the cookie, or answers a page that reads the
value back and posts it with the id_token; when nothing ties the browser to the login it
offers to open Koula in a new window, where the cookie is first-party. The id_token is
validated once, when the browser is bound.
"""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from koula.messages import gettext_for, pick_language, translate
from lti.claims import CLAIM, DEEP_LINKING, LaunchData, audience_of
from lti.errors import LaunchRefused
from lti.models import LaunchState
from lti.services.id_token import validate_launch
from lti.services.login import (
    LOGIN_SECONDS,
    STATE_FORMAT,
    login_start,
    origin_of,
    pending_login,
    relaunch_url,
    storage_key,
    storage_value_check,
)
from lti.views.language import request_language
from lti.views.pages import activity_page, deep_linking_page, mentor_page, staff_page
from lti.views.rendering import page

STATE_COOKIE = "koula_lti_state"
STORAGE_FIELD = "koula_storage_value"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    params = request.POST if request.method == "POST" else request.GET
    language = request_language(request)
    start = login_start(params, language=language)
    if start.storage is not None:
        return _private(page("storage_login.html", language, storage=start.storage))
    response = HttpResponseRedirect(start.auth_url)
    response["Set-Cookie"] = _state_cookie(start.state, LOGIN_SECONDS)
    return response


@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    language = request_language(request)
    _ = gettext_for(language)
    id_token, state = request.POST.get("id_token", ""), request.POST.get("state", "")
    if not id_token or not STATE_FORMAT.fullmatch(state):  # a state this tool never issued
        raise LaunchRefused(
            _("This launch is incomplete. Open the activity again from your course."),
            language=language,
            detail="no id_token, or no state this tool issues",
        )
    if request.COOKIES.get(STATE_COOKIE) == state:
        # The browser that logged in (its state cookie), as most launches: the login is
        # spent as the id_token is validated, unread before (one statement).
        data = validate_launch(id_token, state, language=language)
    else:
        login = pending_login(state)
        unbound = _unbound_page(request, login, id_token, state, language)
        if unbound is not None:
            return unbound
        data = validate_launch(id_token, state, language=language, login=login)
    language = pick_language(data.locale, language)
    response = _page(data, language)
    if STATE_COOKIE in request.COOKIES:
        response["Set-Cookie"] = _state_cookie("", 0)
    return response


def _unbound_page(
    request: HttpRequest, login: LaunchState | None, id_token: str, state: str, language: str
) -> HttpResponse | None:
    """Return the page to answer while the browser is not tied to ``login`` (the login in
    flight for ``state``), else None.

    An unknown or spent state gets None too: :func:`validate_launch` refuses it. (A launch
    whose state cookie names its state does not come here: a login through the platform's
    storage sets no cookie, so such a login with one is refused as unknown.)
    """
    if login is not None and login.storage_target:
        value = request.POST.get(STORAGE_FIELD)
        if value is None:
            return _storage_launch_page(login, id_token, _token_language(id_token, language))
        from_tool = _from_tool_page(request)
        storage_value_check(login, value, from_tool_page=from_tool, language=language)
        return None
    cookie = request.COOKIES.get(STATE_COOKIE)
    if cookie is not None and cookie != state:
        raise LaunchRefused(
            translate(
                language,
                "This launch was started in another window. Open the activity "
                "again from your course.",
            ),
            language=language,
            detail="state cookie mismatch",
        )
    if cookie is None and login is not None:
        language = _token_language(id_token, language)
        return _private(page("new_window.html", language, relaunch=relaunch_url(login)))
    return None


def _storage_launch_page(login: LaunchState, id_token: str, language: str) -> HttpResponse:
    storage = {
        "target": login.storage_target,
        "origin": origin_of(login.registration.auth_login_url),
        "key": storage_key(login.state),
        "field": STORAGE_FIELD,
    }
    return _private(
        page(
            "storage_launch.html",
            language,
            storage=storage,
            id_token=id_token,
            state=login.state,
            field=STORAGE_FIELD,
            relaunch=relaunch_url(login),
        )
    )


def _from_tool_page(request: HttpRequest) -> bool:
    """True unless the browser says the POST came from another origin than the tool's."""
    origin: str | None = request.headers.get("Origin")
    if origin is not None:
        return origin == origin_of(settings.BASE_URL)
    site: str = request.headers.get("Sec-Fetch-Site", "same-origin")
    return site == "same-origin"


def _token_language(id_token: str, fallback: str) -> str:
    """The launch's locale read from the (not yet verified) id_token, else ``fallback``."""
    try:
        claims: dict[str, Any] = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return fallback
    presentation = claims.get(CLAIM["launch_presentation"])
    locale = presentation.get("locale") if isinstance(presentation, dict) else None
    return pick_language(locale if isinstance(locale, str) else None, fallback)


def _state_cookie(value: str, max_age: int) -> str:
    return (
        f"{STATE_COOKIE}={value}; Max-Age={max_age}; Path=/lti/; HttpOnly; "
        "SameSite=None; Secure; Partitioned"
    )


def _private(response: HttpResponse) -> HttpResponse:
    """Keep pages that carry a login's secrets or an id_token out of every cache."""
    response["Cache-Control"] = "no-store"
    return response


def _page(data: LaunchData, language: str) -> HttpResponse:
    """The page for the launch's message and roles (``docs/lti.md``, "Roles")."""
    if data.message_type == DEEP_LINKING:
        return deep_linking_page(data, language)
    pages = {"staff": staff_page, "mentor": mentor_page, "learner": activity_page}
    return pages[audience_of(data.roles)](data, language)
