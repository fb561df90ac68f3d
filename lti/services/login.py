"""OIDC third-party initiated login: the first step of every launch.

The platform sends ``iss``, ``login_hint``, ``target_link_uri`` and the rest;
the tool records a fresh ``state`` and ``nonce`` and sends the browser to the
platform's authorization endpoint with them (``lti.md``: scope openid,
response_type id_token, response_mode form_post, prompt none).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from koula.messages import gettext_for
from lti.errors import LaunchRefused
from lti.models import LaunchState, Registration

__all__ = ["LOGIN_SECONDS", "login_redirect"]

LOGIN_SECONDS = 600


def login_redirect(params: Mapping[str, str], *, language: str) -> tuple[str, str]:
    """Return ``(authorization URL, state)``; raise LaunchRefused for an unknown platform."""
    _ = gettext_for(language)
    issuer, login_hint = params.get("iss", ""), params.get("login_hint", "")
    if not issuer or not login_hint:
        raise LaunchRefused(
            _(
                "This login request is incomplete (it lacks iss or login_hint). "
                "Start the activity again from your course."
            ),
            language=language,
        )
    registrations = Registration.objects.filter(issuer=issuer)
    if params.get("client_id"):
        registrations = registrations.filter(client_id=params["client_id"])
    registration = registrations.order_by("pk").first()
    if registration is None:
        raise LaunchRefused(
            _("This platform is not registered with Koula. Ask your administrator to register it."),
            language=language,
            detail=f"iss={issuer!r} client_id={params.get('client_id')!r}",
        )
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    LaunchState.objects.filter(expires_at__lt=timezone.now()).delete()
    LaunchState.objects.create(
        state=state,
        nonce=nonce,
        registration=registration,
        expires_at=timezone.now() + dt.timedelta(seconds=LOGIN_SECONDS),
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.client_id,
        "redirect_uri": f"{settings.BASE_URL}/lti/launch",
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in registration.auth_login_url else "?"
    return f"{registration.auth_login_url}{separator}{urlencode(query)}", state
