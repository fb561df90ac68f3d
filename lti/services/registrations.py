"""Registering platforms: by hand (``koula platforms add``) or by dynamic registration, and
the service origins an administrator trusts (``koula platforms trust-origin``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from lti.addresses import origin
from lti.config import ConfigError, check_url
from lti.models import Deployment, Registration
from lti.platform_keys import forget_keys

__all__ = ["platform_add", "service_origin", "trust_origin"]


def service_origin(url: str) -> str:
    """The origin (``scheme://host[:port]``) of ``url`` that an administrator trusts for AGS
    and NRPS; raise ConfigError when it is not https (http only on loopback)."""
    check_url(url, "--service-origin")
    try:
        return origin(url)
    except ValueError as exc:
        raise ConfigError(
            f"--service-origin must be a URL such as https://lms.example.org: {exc}"
        ) from exc


def platform_add(
    *,
    issuer: str,
    client_id: str,
    deployment_id: str,
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    name: str = "",
    service_origins: Iterable[str] = (),
    added_by_admin: bool = True,
    configuration_url: str = "",
) -> tuple[Registration, bool]:
    """Create or update the registration ``(issuer, client_id)`` and add the deployment.

    ``added_by_admin`` (``koula platforms add``) lets the outbound policy reach its hosts on
    a private network; dynamic registration passes False (and never takes it away from a
    registration an administrator made). ``service_origins`` are added to those it trusts.
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
    origins = [service_origin(url) for url in service_origins]
    defaults: dict[str, object] = {
        "auth_login_url": auth_login_url,
        "auth_token_url": auth_token_url,
        "keyset_url": keyset_url,
        "name": name,
    }
    if added_by_admin:
        defaults["added_by_admin"] = True
    if configuration_url:
        defaults["configuration_url"] = configuration_url
    with transaction.atomic():
        registration, created = Registration.objects.update_or_create(
            issuer=issuer,  # kept exactly: launches must match it character for character
            client_id=client_id,
            defaults=defaults,
        )
        if origins:
            _add_origins(registration, origins)
        Deployment.objects.get_or_create(registration=registration, deployment_id=deployment_id)
    forget_keys()
    return registration, created


def trust_origin(*, client_id: str, url: str, issuer: str = "") -> tuple[Registration, str]:
    """Add the origin of ``url`` to those the registration ``client_id`` trusts for AGS and
    NRPS (``issuer`` picks one when several platforms use that client id); return the
    registration and the origin. Raise ConfigError when there is no such registration or
    the URL is unusable."""
    trusted = service_origin(url)
    rows = Registration.objects.filter(client_id=client_id)
    if issuer:
        rows = rows.filter(issuer=issuer)
    found = list(rows[:2])
    if not found:
        raise ConfigError(
            f"no registration has client id {client_id!r}"
            + (f" and issuer {issuer!r}" if issuer else "")
            + ": 'koula platforms list' shows them"
        )
    if len(found) > 1:
        raise ConfigError(
            f"several platforms use client id {client_id!r}: add --issuer to say which "
            "('koula platforms list' shows them)"
        )
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=found[0].pk)
        _add_origins(registration, [trusted])
    return registration, trusted


def _add_origins(registration: Registration, origins: list[str]) -> None:
    known = registration.service_origins if isinstance(registration.service_origins, list) else []
    added = [o for o in dict.fromkeys(origins) if o not in known]
    if added:
        registration.service_origins = [*known, *added]
        registration.save(update_fields=["service_origins", "updated_at"])
