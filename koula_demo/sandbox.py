"""The sandbox LMS: the LTI platform with one course, its people, pages and a memory.

``Sandbox`` is a :class:`koula_demo.lms.Platform` whose tool registrations, placed
activities and received scores are saved in SQLite as they happen, and whose WSGI
application adds the human pages (:mod:`koula_demo.pages`) in front of the LTI endpoints;
its mailbox page reads the folder the tool writes its e-mails to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from koula_demo import snapshot
from koula_demo.lms import Platform
from koula_demo.lms.app import WSGIApp
from koula_demo.lms.constants import DEEP_LINKING_REQUEST
from koula_demo.lms.library import HarnessRequest
from koula_demo.lms.models import DeepLinkRequest, ToolRecord
from koula_demo.people import COURSE_ID, INSTRUCTOR, PEOPLE, Person
from koula_demo.store import StateStore

__all__ = ["Activity", "Sandbox"]


@dataclass(frozen=True)
class Activity:
    """A Koula activity placed in the course by deep linking."""

    resource_link_id: str
    title: str
    lineitem_id: str | None


class Sandbox(Platform):
    """The sandbox LMS on ``http://127.0.0.1:<port>``; ``workbench_url`` is linked from home."""

    def __init__(
        self,
        port: int,
        store: StateStore,
        workbench_url: str | None = None,
        *,
        mailbox: Path | None = None,
        run_reminders: Callable[[str, str], str] | None = None,
    ) -> None:
        self.store = store
        self.workbench_url = workbench_url
        self.mailbox = mailbox  # where the tool writes its e-mails (KOULA_EMAIL_URL)
        self.run_reminders = run_reminders  # (day, language) -> what the pass printed
        self._save_lock = threading.Lock()
        self._ready = False
        super().__init__(port=port)
        self.members[COURSE_ID] = [person.member() for person in PEOPLE]
        self.pending_activation = True  # an admin (the demo) activates what registers
        saved = store.load(self.url)
        if saved:
            snapshot.restore(self, saved)
        self._ready = True

    def wsgi_app(self) -> WSGIApp:
        from koula_demo.pages import sandbox_app

        return sandbox_app(self, super().wsgi_app())

    def save(self) -> None:
        if self._ready:
            with self._save_lock:
                self.store.save(self.url, snapshot.dump(self))

    # -- what changes the state is saved at once ------------------------------------------

    def register_tool(self, registration_token: str, metadata: dict[str, Any]) -> ToolRecord:
        tool = super().register_tool(registration_token, metadata)
        self.save()
        return tool

    def activate(self, client_id: str) -> None:
        super().activate(client_id)
        self.save()

    def place_deep_link_items(self, request: DeepLinkRequest, items: list[dict[str, Any]]) -> None:
        super().place_deep_link_items(request, items)
        self.save()

    def receive_score(
        self, lineitem_id: str, client_id: str, request: HarnessRequest, score: Any
    ) -> Any:
        answer = super().receive_score(lineitem_id, client_id, request, score)
        self.save()
        return answer

    # -- what the pages need --------------------------------------------------------------

    @property
    def tool(self) -> ToolRecord | None:
        """The active Koula registration (the newest one), if any."""
        active = [tool for tool in self.tools.values() if tool.active]
        return active[-1] if active else None

    def activities(self) -> list[Activity]:
        tool = self.tool
        return [
            Activity(p["resource_link_id"], str(p["item"].get("title") or ""), p["lineitem_id"])
            for p in self.placements
            if tool is not None and p["client_id"] == tool.client_id
        ]

    def launch_start(self, resource_link_id: str, person: Person, locale: str) -> str:
        """The URL that starts ``person``'s launch of an activity in their browser."""
        assert self.tool is not None
        return self.login_initiation_url(
            client_id=self.tool.client_id,
            user=person.user_id,
            roles=[person.role],
            resource_link_id=resource_link_id,
            context_id=COURSE_ID,
            locale=locale,
        )

    def picker_start(self, locale: str) -> str:
        """The URL that opens the tool's picker for the instructor (deep linking)."""
        assert self.tool is not None
        return self.login_initiation_url(
            client_id=self.tool.client_id,
            user=INSTRUCTOR.user_id,
            roles=[INSTRUCTOR.role],
            resource_link_id=None,
            message_type=DEEP_LINKING_REQUEST,
            context_id=COURSE_ID,
            locale=locale,
        )
