"""Everything the block needs from its host (the LMS, Studio or the workbench), in one place.

Imports of host internals happen inside the functions, so this package imports
anywhere (tests, the workbench, the LMS) and degrades to sensible defaults
when a host lacks a piece: the course's other Koula blocks
(:func:`course_blocks`: the LMS's modulestore, else the block's own tree), the
unit's ``jump_to`` link (:func:`unit_url`), the release date
(:func:`release_date`) and the learner's personal due date in the platform's
dates service, edx-when (:func:`register_due_date`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from koula_xblock.records import (
    NO_RECORDS,
    RecordStore,
    SubmissionsRecordStore,
    item_key,
    usage_text,
)

__all__ = [
    "course_blocks",
    "host_language",
    "learner_id",
    "record_store",
    "register_due_date",
    "release_date",
    "unit_url",
    "user_can_author",
    "user_is_staff",
    "user_name",
]

log = logging.getLogger(__name__)

BLOCK_TYPE = "koula"
MAX_DEPTH = 8
"""How deep the workbench's tree is walked (a course is course, chapter, sequential, unit)."""
DUE_REASON = "Koula: the learner's experiment is due (report back)"


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
    from submissions.models import Submission

    return SubmissionsRecordStore(api, _savepoint, Submission)


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


def course_blocks(block: Any) -> list[Any]:
    """Return the Koula blocks of ``block``'s course in course-outline order, ``block`` itself
    among them (as this very instance).

    A ``koula_course`` runtime service first (the tests give a fake), else the LMS's
    modulestore (every published Koula block of the course that is still in the course
    tree), else the block's own tree from its root (the workbench: the blocks of one
    scenario), else the block alone.
    """
    service = block.runtime.service(block, "koula_course")
    if service is not None:
        found = list(service.koula_blocks(block))
    else:
        found = _modulestore_blocks(block)
        if found is None:
            found = list(_tree_blocks(_root_of(block), 0))
    mine = usage_text(block.scope_ids.usage_id)
    blocks = [block if usage_text(b.scope_ids.usage_id) == mine else b for b in found]
    return blocks if block in blocks else [block, *blocks]


def _modulestore_blocks(block: Any) -> list[Any] | None:
    """Return the course's Koula blocks from the LMS's modulestore, or None outside the LMS."""
    course_key = getattr(block.scope_ids.usage_id, "course_key", None)
    if course_key is None:
        return None
    try:
        from xmodule.modulestore.django import modulestore
    except ImportError:
        return None
    store = modulestore()
    placed = []
    for item in store.get_items(course_key, qualifiers={"category": BLOCK_TYPE}):
        path = _outline_path(item)
        if path is not None:  # an orphan (its unit deleted) is no session
            placed.append((path, item))
    placed.sort(key=lambda pair: pair[0])
    return [item for _path, item in placed]


def _outline_path(item: Any) -> tuple[int, ...] | None:
    """Return the block's place in the course outline (each ancestor's index), or None when
    it does not hang from the course."""
    path: list[int] = []
    child = item
    for _level in range(MAX_DEPTH):
        parent = child.get_parent()
        if parent is None:
            return tuple(reversed(path)) if child.scope_ids.block_type == "course" else None
        children = [str(key) for key in parent.children]
        key = str(child.scope_ids.usage_id)
        if key not in children:
            return None
        path.append(children.index(key))
        child = parent
    return None


def _root_of(block: Any) -> Any:
    for _level in range(MAX_DEPTH):
        parent = block.get_parent()
        if parent is None:
            return block
        block = parent
    return block


def _tree_blocks(node: Any, depth: int) -> Iterator[Any]:
    if node.scope_ids.block_type == BLOCK_TYPE:
        yield node
    if depth >= MAX_DEPTH:
        return
    for child_id in getattr(node, "children", None) or ():
        yield from _tree_blocks(node.runtime.get_block(child_id), depth + 1)


def release_date(block: Any) -> dt.datetime | None:
    """Return when ``block``'s unit opens (its ``start``, inherited in the LMS), else None."""
    start = getattr(block, "start", None)
    if not isinstance(start, dt.datetime):
        return None
    return start if start.tzinfo else start.replace(tzinfo=dt.UTC)


def unit_url(block: Any, *, absolute: bool = False) -> str | None:
    """Return the LMS link that opens ``block``'s unit (``jump_to``), or None outside a course.

    ``absolute`` prefixes the LMS's root URL when the host's settings name it (for a
    calendar file, read outside the browser).
    """
    key = item_key(block)
    if getattr(block.scope_ids.usage_id, "course_key", None) is None:
        return None
    path = f"/courses/{key['course_id']}/jump_to/{key['item_id']}"
    return _lms_root() + path if absolute else path


def _lms_root() -> str:
    try:
        from django.conf import settings

        return str(getattr(settings, "LMS_ROOT_URL", "") or "").rstrip("/")
    except Exception:  # Django absent or not configured: a path is all there is
        return ""


def register_due_date(block: Any, due_on: dt.date) -> bool:
    """Record ``due_on`` as the current learner's personal due date of ``block`` in edx-when.

    Returns True when the dates service took it. Never raises: a host without
    edx-when (the workbench) or a learner it cannot name is logged (once per process
    for the missing service); a refusal of the service is logged with its reason.
    When the course's dates hold no due date for the block itself (a component's date
    is usually its subsection's), the block's entry is added first with the date it
    already has for everyone (its ``due``, else none), so other learners see no change.
    """
    try:
        from edx_when import api
    except ImportError:
        _no_dates_service()
        return False
    service = block.runtime.service(block, "user")
    find_user = getattr(service, "get_user_by_anonymous_id", None)
    user = find_user() if callable(find_user) else None
    course_key = getattr(block.scope_ids.usage_id, "course_key", None)
    if user is None or course_key is None:
        log.info("Koula: no platform user or course here; the due date is not registered")
        return False
    usage_id = block.scope_ids.usage_id
    when = dt.datetime.combine(due_on, dt.time(23, 59), tzinfo=dt.UTC)
    try:
        try:
            api.set_date_for_block(course_key, usage_id, "due", when, user=user, reason=DUE_REASON)
        except api.MissingDateError:
            api.set_date_for_block(course_key, usage_id, "due", getattr(block, "due", None))
            api.set_date_for_block(course_key, usage_id, "due", when, user=user, reason=DUE_REASON)
    except Exception:
        log.exception("Koula: edx-when did not take the due date %s of %s", due_on, usage_id)
        return False
    return True


@functools.cache
def _no_dates_service() -> None:
    log.info("Koula: no edx-when here (not the LMS): learners' due dates are not registered")
