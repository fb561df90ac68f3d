"""``GET /lti/register/<token>``: LTI Dynamic Registration through an admin's invitation.

The platform opens the registration link that ``koula platforms invite`` printed; plain
``/lti/register`` (no token) and any link that is not an open invitation answer the 403
page that says how to get one, without a single outbound request.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from lti.services.dynamic_registration import register_with_platform
from lti.views.language import request_language
from lti.views.rendering import page


@require_GET
def dynamic_registration(request: HttpRequest, token: str = "") -> HttpResponse:
    """Register Koula with the platform that opened this link; failures become a 400 or 403
    page (rendered by :class:`~lti.views.errors.LtiErrorMiddleware`)."""
    language = request_language(request)
    registered = register_with_platform(
        request.GET.get("openid_configuration", "").strip(),
        request.GET.get("registration_token", "").strip(),
        invitation=token,
        language=language,
    )
    return page("register_done.html", language, registered=registered)
