"""Build Koula blocks in the real XBlock runtime machinery (``xblock.test.tools.TestRuntime``).

Handlers are called through ``runtime.handle`` so the JSON-handler wrapper runs
too; ``publish`` is replaced by a recorder so tests can read the grade and
completion events the block emits.
"""

from __future__ import annotations

import json
from typing import Any

from webob import Request
from xblock.fields import ScopeIds
from xblock.runtime import DictKeyValueStore, KvsFieldData, NullI18nService
from xblock.test.tools import TestRuntime

from koula_xblock.block import KoulaXBlock


class RecordingRuntime(TestRuntime):
    """A test runtime that serves URLs and records published events."""

    def __init__(self, store: DictKeyValueStore, user_id: str) -> None:
        super().__init__(services={"field-data": KvsFieldData(store), "i18n": NullI18nService()})
        self.events: list[tuple[str, dict[str, Any]]] = []

    def publish(self, block: Any, event_type: str, event_data: dict[str, Any]) -> None:
        self.events.append((event_type, event_data))

    def local_resource_url(self, block: Any, uri: str) -> str:
        return f"/resource/koula/{uri}"

    def handler_url(self, block: Any, handler_name: str, *args: Any, **kwargs: Any) -> str:
        return f"/handler/{handler_name}"


class Course:
    """One usage of the block, seen by any number of learners sharing one store."""

    def __init__(self) -> None:
        self.store = DictKeyValueStore()

    def block(self, user_id: str = "learner-1", **fields: Any) -> KoulaXBlock:
        runtime = RecordingRuntime(self.store, user_id)
        ids = ScopeIds(user_id, "koula", "def-1", "usage-1")
        block = runtime.construct_xblock_from_class(KoulaXBlock, ids)
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
