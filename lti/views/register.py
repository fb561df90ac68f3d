"""``GET /lti/register/<token>``: LTI Dynamic Registration through an admin's invitation.

The platform opens the registration link that ``koula platforms invite`` printed; plain
``/lti/register`` (no token) and any link that is not an open invitation answer the 403
page that says how to get one, without a single outbound request. The page that ends a
registration says what the admin does next on their platform (by its product family: Moodle,
Canvas, Brightspace, or any other), and tells the platform to close it only on their click.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from lti.services.dynamic_registration import Registered, register_with_platform
from lti.views.language import request_language
from lti.views.rendering import page

# The product family codes platforms give (``product_family_code``), and the guide each follows.
FAMILIES = {
    "moodle": "moodle",
    "canvas": "canvas",
    "desire2learn": "brightspace",
    "brightspace": "brightspace",
}


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
    return page("register_done.html", language, registered=registered, family=family(registered))


def family(registered: Registered) -> str:
    """Return the platform family whose next steps the page gives (``other`` when unknown)."""
    return FAMILIES.get(registered.platform_name.strip().lower(), "other")
