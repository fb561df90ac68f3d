"""Everything the block needs from its host (the LMS, Studio or the workbench), in one place.

Imports of host internals happen inside the functions, so this package imports
anywhere (tests, the workbench, the LMS) and degrades to sensible defaults
when a host lacks a piece.
"""

from __future__ import annotations

from typing import Any

__all__ = ["anonymous_user_id", "host_language", "user_is_staff"]


def host_language(block: Any) -> str | None:
    """Return the learner's language: from the i18n service, else the host's active language."""
    try:
        service = block.runtime.service(block, "i18n")
    except Exception:  # a runtime without the service: fall back to the host's language
        service = None
    get_language = getattr(service, "get_language", None)
    if callable(get_language):
        try:
            return str(get_language())
        except Exception:  # the workbench's service is Django's, possibly unconfigured
            pass
    try:
        from django.utils import translation
    except ImportError:
        return None
    try:
        return translation.get_language()
    except Exception:  # Django present but not configured (plain tests): no host language
        return None


def _current_user(block: Any) -> Any:
    service = block.runtime.service(block, "user") if block.runtime else None
    return service.get_current_user() if service else None


def user_is_staff(block: Any) -> bool:
    """Return True when the current user is course staff (never for an unknown user)."""
    user = _current_user(block)
    return bool(user and user.opt_attrs.get("edx-platform.user_is_staff"))


def anonymous_user_id(block: Any) -> str | None:
    """Return the LMS anonymous user id of the current user, or None outside the LMS."""
    user = _current_user(block)
    return user.opt_attrs.get("edx-platform.anonymous_user_id") if user else None
