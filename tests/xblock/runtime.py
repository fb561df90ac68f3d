"""Build Koula blocks in the real XBlock runtime machinery (``xblock.test.tools.TestRuntime``).

Handlers are called through ``runtime.handle`` so the JSON-handler wrapper runs
too; ``publish`` is replaced by a recorder so tests can read the grade and
completion events the block emits. The runtime offers a user service like the
LMS's (anonymous id, staff flag) and, as the ``koula_records`` service, an
in-memory :class:`MemoryRecordStore` shared by the learners of one course. A
course holds any number of blocks (``course.block(..., usage="s2")``), listed in
the order they were first made (the course outline) by the ``koula_course``
service (:class:`CourseBlocks`), as the LMS's modulestore lists them. A
``Course(studio=True)`` is seen as Studio sees it: a usage id with a course key,
a user service that never says staff, and ``studio_user_permissions``; a
``Course(lms=True)`` has usage ids with a course key, as in the LMS.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from opaque_keys.edx.keys import UsageKey
from webob import Request
from xblock.fields import ScopeIds
from xblock.reference.user_service import UserService, XBlockUser
from xblock.runtime import DictKeyValueStore, KvsFieldData, NullI18nService
from xblock.test.tools import TestRuntime

from koula_xblock.block import KoulaXBlock
from koula_xblock.records import item_key


class MemoryRecordStore:
    """The tests' record store: every save appended, as edx-submissions does with rows."""

    def __init__(self) -> None:
        self.saved: list[tuple[str, str, dict[str, Any]]] = []

    def save(self, block: Any, learner_id: str, record: dict[str, Any]) -> None:
        self.saved.append((item_key(block)["item_id"], learner_id, json.loads(json.dumps(record))))

    def iter_records(self, block: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        newest = {
            learner: record
            for item, learner, record in self.saved
            if item == item_key(block)["item_id"]
        }
        yield from sorted(newest.items())

    def learner_records(self, blocks: Any, learner_id: str) -> dict[str, dict[str, Any]]:
        items = {item_key(block)["item_id"] for block in blocks}
        return {
            item: record
            for item, learner, record in self.saved
            if item in items and learner == learner_id
        }


class LmsLikeUserService(UserService):
    """The current user as the LMS describes it: an anonymous id and a staff flag."""

    def __init__(self, user_id: str, *, staff: bool) -> None:
        super().__init__()
        self.user = XBlockUser(is_current_user=True, full_name=user_id)
        self.user.opt_attrs.update(
            {
                "edx-platform.anonymous_user_id": f"anon-{user_id}",
                "edx-platform.user_is_staff": staff,
            }
        )

    def get_current_user(self) -> XBlockUser:
        return self.user

    def get_user_by_anonymous_id(self, uid: str | None = None) -> Any:
        """The platform's user (a Django user in the LMS): here, a stand-in with a name."""
        return SimpleNamespace(username=self.user.full_name, is_anonymous=False)


class StudioPermissions:
    """Studio's ``studio_user_permissions`` service: who may write which course."""

    def __init__(self, *, writes: bool) -> None:
        self.writes = writes

    def can_write(self, course_key: Any) -> bool:
        return self.writes and str(course_key) == str(STUDIO_USAGE.course_key)


COURSE = "Koula+C1+2026"
STUDIO_USAGE = UsageKey.from_string(f"block-v1:{COURSE}+type@koula+block@usage-1")


class CourseBlocks:
    """The ``koula_course`` service: the course's Koula blocks in outline order, as the
    current user sees them; ``start`` stands for the release date the LMS gives."""

    def __init__(self, course: Course) -> None:
        self.course = course

    def koula_blocks(self, block: Any) -> list[Any]:
        found = []
        for name in self.course.usages:
            other = block.runtime.construct_xblock_from_class(
                KoulaXBlock, self.course.scope_ids(block.scope_ids.user_id, name)
            )
            if name in self.course.release:
                other.start = self.course.release[name]
            found.append(other)
        return found


class RecordingRuntime(TestRuntime):
    """A test runtime that serves URLs and records published events."""

    def __init__(self, store: DictKeyValueStore, services: dict[str, Any]) -> None:
        super().__init__(
            services={"field-data": KvsFieldData(store), "i18n": NullI18nService(), **services}
        )
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, block: Any, event_type: str, event_data: dict[str, Any]) -> None:
        self.events.append((event_type, event_data))

    def local_resource_url(self, block: Any, uri: str) -> str:
        return f"/resource/koula/{uri}"

    def handler_url(self, block: Any, handler_name: str, *args: Any, **kwargs: Any) -> str:
        return f"/handler/{handler_name}"


class Course:
    """One usage of the block, seen by any number of learners sharing one store."""

    def __init__(
        self, *, keep_records: bool = True, studio: bool = False, lms: bool = False
    ) -> None:
        self.store = DictKeyValueStore()
        self.records = MemoryRecordStore() if keep_records else None
        self.studio = studio
        self.lms = lms
        self.usages: list[str] = []
        self.release: dict[str, dt.datetime] = {}

    def scope_ids(self, user_id: str, usage: str) -> ScopeIds:
        """The ids of ``usage`` (a name) for ``user_id``: a usage key in a course when the
        course is Studio's or the LMS's, the bare name otherwise."""
        usage_id: Any = usage
        if self.studio or self.lms:
            usage_id = UsageKey.from_string(f"block-v1:{COURSE}+type@koula+block@{usage}")
        return ScopeIds(user_id, "koula", usage.replace("usage", "def"), usage_id)

    def block(
        self,
        user_id: str = "learner-1",
        *,
        staff: bool = False,
        author: bool = False,
        usage: str = "usage-1",
        **fields: Any,
    ) -> KoulaXBlock:
        """The block ``usage`` as ``user_id`` sees it; ``author`` may write the course in Studio."""
        if usage not in self.usages:
            self.usages.append(usage)
        services: dict[str, Any] = {
            "user": LmsLikeUserService(user_id, staff=staff),
            "koula_course": CourseBlocks(self),
        }
        if self.records is not None:
            services["koula_records"] = self.records
        if self.studio:
            services["studio_user_permissions"] = StudioPermissions(writes=author)
        runtime = RecordingRuntime(self.store, services)
        block = runtime.construct_xblock_from_class(KoulaXBlock, self.scope_ids(user_id, usage))
        if usage in self.release:
            block.start = self.release[usage]
        for name, value in fields.items():
            setattr(block, name, value)
        block.save()
        return block


def call(block: KoulaXBlock, handler: str, body: Any, method: str = "POST") -> tuple[int, Any]:
    """Call ``handler`` over the runtime with a JSON body; return (status, decoded body)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = Request.blank("/", method=method, body=raw if method == "POST" else None)
    response = block.runtime.handle(block, handler, request)
    return response.status_int, json.loads(response.body or b"null")


def events(block: KoulaXBlock, kind: str) -> list[dict[str, Any]]:
    return [data for event, data in block.runtime.events if event == kind]
