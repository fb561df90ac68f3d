"""Sessions, logins and messages for the Django admin site only.

The tool's own pages never use a session: a launch carries its platform's signed id_token,
and the pages after it a signed token of their own. Django's session, authentication and
message middlewares still cost every request their work (issue 14), so they run here for
the admin's paths alone, in their usual order; Django's admin checks that look for them in
``MIDDLEWARE`` are silenced in ``lti/settings.py`` for this reason.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

__all__ = ["ADMIN_PREFIX", "AdminOnlyMiddleware"]

ADMIN_PREFIX = "/admin/"


class AdminOnlyMiddleware:
    """Sends the admin's requests through the session, authentication and message
    middlewares; every other request goes straight on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin = SessionMiddleware(AuthenticationMiddleware(MessageMiddleware(get_response)))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(ADMIN_PREFIX):
            return self.admin(request)
        return self.get_response(request)
