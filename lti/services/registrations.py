"""Registering platforms: by hand (``koula platforms add``) or by dynamic registration."""

from __future__ import annotations

from django.db import transaction

from lti.config import check_url
from lti.models import Deployment, Registration
from lti.platform_keys import forget_keys

__all__ = ["platform_add"]


def platform_add(
    *,
    issuer: str,
    client_id: str,
    deployment_id: str,
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    name: str = "",
) -> tuple[Registration, bool]:
    """Create or update the registration ``(issuer, client_id)`` and add the deployment.

    Raise :class:`~lti.config.ConfigError` when a URL is not https (loopback may use http).
    """
    urls = {
        "--issuer": issuer,
        "--auth-login-url": auth_login_url,
        "--auth-token-url": auth_token_url,
        "--keyset-url": keyset_url,
    }
    for what, url in urls.items():
        check_url(url, what)
    with transaction.atomic():
        registration, created = Registration.objects.update_or_create(
            issuer=issuer,  # kept exactly: launches must match it character for character
            client_id=client_id,
            defaults={
                "auth_login_url": auth_login_url,
                "auth_token_url": auth_token_url,
                "keyset_url": keyset_url,
                "name": name,
            },
        )
        Deployment.objects.get_or_create(registration=registration, deployment_id=deployment_id)
    forget_keys()
    return registration, created
