"""A retired learner's Koula rows in the LMS (:class:`koula_xblock.retirement.LearnerRows`).

* records: edx-submissions ``Submission`` rows of ``item_type`` ``koula`` whose student is
  one of the learner's anonymous ids (soft-deleted rows too), rewritten in place and
  dropped from the submissions cache (records are never rewritten otherwise);
* learner states: the user's ``StudentModule`` rows of ``koula`` blocks, and their
  history (``StudentModuleHistory``, and ``StudentModuleHistoryExtended`` when the LMS
  keeps it), whose ``learner_state`` is rewritten;
* hand-overs: the ``host_turns`` and ``next_host`` fields that a block's learners share
  (``XModuleUserStateSummaryField``) of every ``koula`` block;
* templates: each block's settings, read from the modulestore.

Everything is imported when used: this module is only ever loaded inside the LMS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from koula import SessionTemplate, configured_template
from koula_xblock.records import ITEM_TYPE
from koula_xblock.retirement import RecordChange, TurnsChange

__all__ = ["LmsLearnerRows", "anonymous_ids"]

STATE_FIELD = "learner_state"
TURN_FIELDS = ("host_turns", "next_host")


def anonymous_ids(user: Any) -> frozenset[str]:
    """Return every anonymous id the LMS gave ``user`` (one per course: what blocks see)."""
    from common.djangoapps.student.models import AnonymousUserId

    found = AnonymousUserId.objects.filter(user=user).values_list("anonymous_user_id", flat=True)
    return frozenset(str(anonymous) for anonymous in found)


class LmsLearnerRows:
    """One retired user's Koula rows in the LMS (see the module docstring)."""

    def __init__(self, user: Any) -> None:
        self.user = user

    def template_of(self, item_id: str) -> SessionTemplate | None:
        from opaque_keys.edx.keys import UsageKey
        from xmodule.modulestore.django import modulestore

        try:
            block = modulestore().get_item(UsageKey.from_string(item_id))
            return configured_template(block.activity_settings(), language="en")
        except Exception:  # deleted, unreadable, or not set up (KoulaError): no template
            return None

    def rewrite_records(self, learner_ids: frozenset[str], change: RecordChange) -> int:
        from django.core.cache import cache
        from submissions.models import Submission

        rows = Submission._objects.filter(  # _objects: soft-deleted rows hold names too
            student_item__student_id__in=sorted(learner_ids),
            student_item__item_type=ITEM_TYPE,
        ).select_related("student_item")
        changed = 0
        for row in rows:
            answer = row.answer if isinstance(row.answer, dict) else {}
            erased = change(str(row.student_item.item_id), answer)
            if erased != answer:
                row.answer = erased
                row.save(update_fields=["answer"])
                cache.delete(Submission.get_cache_key(row.uuid))
                changed += 1
        return changed

    def rewrite_states(self, change: RecordChange) -> int:
        from lms.djangoapps.courseware.models import StudentModule

        changed = 0
        for module in StudentModule.objects.filter(student=self.user, module_type=ITEM_TYPE):
            item_id = str(module.module_state_key)
            for row in (module, *_history(module)):
                changed += _rewrite_state(row, item_id, change)
        return changed

    def rewrite_turns(self, change: TurnsChange) -> int:
        from lms.djangoapps.courseware.models import XModuleUserStateSummaryField

        fields: dict[str, dict[str, Any]] = {}
        for row in XModuleUserStateSummaryField.objects.filter(field_name__in=TURN_FIELDS):
            if getattr(row.usage_id, "block_type", None) == ITEM_TYPE:
                fields.setdefault(str(row.usage_id), {})[row.field_name] = row
        changed = 0
        for rows in fields.values():
            turns, host = _value(rows.get("host_turns"), []), _value(rows.get("next_host"), "")
            new = change(turns if isinstance(turns, list) else [], str(host or ""))
            if new is None:
                continue
            for name, value in zip(TURN_FIELDS, new, strict=True):
                if name in rows:
                    rows[name].value = json.dumps(value)
                    rows[name].save(update_fields=["value"])
            changed += 1
        return changed


def _history(module: Any) -> Iterator[Any]:
    """Yield the stored past states of ``module``, in whichever history tables the LMS has."""
    try:
        from lms.djangoapps.courseware.models import StudentModuleHistory

        yield from StudentModuleHistory.objects.filter(student_module=module)
    except ImportError:
        pass
    try:
        from lms.djangoapps.coursewarehistoryextended.models import (
            StudentModuleHistoryExtended,
        )

        yield from StudentModuleHistoryExtended.objects.filter(student_module=module)
    except ImportError:
        pass


def _rewrite_state(row: Any, item_id: str, change: RecordChange) -> int:
    fields = _loads(row.state)
    stored = fields.get(STATE_FIELD)
    if not isinstance(stored, dict):
        return 0
    erased = change(item_id, stored)
    if erased == stored:
        return 0
    row.state = json.dumps({**fields, STATE_FIELD: erased})
    row.save(update_fields=["state"])
    return 1


def _value(row: Any, default: Any) -> Any:
    return default if row is None else _loads(row.value, default)


def _loads(text: Any, default: Any = None) -> Any:
    try:
        return json.loads(text) if text else ({} if default is None else default)
    except (TypeError, ValueError):
        return {} if default is None else default
