"""``GET /lti/register``: LTI Dynamic Registration, the URL an admin pastes into the platform."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from lti.rendering import page
from lti.services.dynamic_registration import register_with_platform
from lti.views.language import request_language


@require_GET
def dynamic_registration(request: HttpRequest) -> HttpResponse:
    """Register Koula with the platform that opened this URL; failures become a 400 page."""
    language = request_language(request)
    registered = register_with_platform(
        request.GET.get("openid_configuration", "").strip(),
        request.GET.get("registration_token", "").strip(),
        language=language,
    )
    return page("register_done.html", language, registered=registered)
