"""Everything the block needs from its host (the LMS, Studio or the workbench), in one place.

Imports of host internals happen inside the functions, so this package imports
anywhere (tests, the workbench, the LMS) and degrades to sensible defaults
when a host lacks a piece.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from koula_xblock.records import NO_RECORDS, RecordStore, SubmissionsRecordStore

__all__ = [
    "host_language",
    "learner_id",
    "record_store",
    "user_can_author",
    "user_is_staff",
    "user_name",
]


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


def user_can_author(block: Any) -> bool:
    """Return True when the current user may change the block's settings.

    In the LMS that is course staff. Studio's user service never says staff, so
    there it is a user its ``studio_user_permissions`` service lets write the course.
    """
    if user_is_staff(block):
        return True
    permissions = block.runtime.service(block, "studio_user_permissions")
    can_write = getattr(permissions, "can_write", None)
    course_key = getattr(block.scope_ids.usage_id, "course_key", None)
    return bool(callable(can_write) and course_key is not None and can_write(course_key))


def user_name(block: Any) -> str:
    """Return the current user's name as others may see it: full name, else username."""
    user = _current_user(block)
    if not user:
        return ""
    username = user.opt_attrs.get("edx-platform.username") or ""
    return str(getattr(user, "full_name", "") or username)


def learner_id(block: Any) -> str:
    """Return who the current learner is in records: the LMS anonymous user id, else the host's."""
    user = _current_user(block)
    attrs = user.opt_attrs if user else {}
    found = attrs.get("edx-platform.anonymous_user_id") or attrs.get("xblock-workbench.user_id")
    return str(found or block.scope_ids.user_id)


def record_store(block: Any) -> RecordStore:
    """Return where ``block`` keeps learner records (see :mod:`koula_xblock.records`).

    A ``koula_records`` runtime service first (the tests give a fake), else
    edx-submissions when the host runs it (the LMS, the workbench), else a store
    that keeps nothing and says so in the log.
    """
    service: RecordStore | None = block.runtime.service(block, "koula_records")
    if service is not None:
        return service
    try:
        from django.apps import apps
    except ImportError:
        return NO_RECORDS
    if not apps.apps_ready or not apps.is_installed("submissions"):
        return NO_RECORDS
    from submissions import api

    return SubmissionsRecordStore(api, _savepoint)


def _savepoint() -> AbstractContextManager[Any]:
    """Return a savepoint inside the host's transaction (the LMS's atomic requests), else nothing.

    The savepoint keeps a failed insert from breaking the request's transaction.
    Outside one, a transaction of our own would only hurt: SQLite (the workbench)
    refuses at once, instead of waiting, a transaction that reads then writes
    while another connection writes.
    """
    from django.db import transaction

    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return nullcontext()
