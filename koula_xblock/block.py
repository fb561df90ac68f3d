"""The Koula XBlock: a community-of-practice session in an Open edX course.

A thin adapter: each capability is a mixin that says what it needs
(:mod:`.settings`, :mod:`.studio`, :mod:`.olx`, :mod:`.views`,
:mod:`.learner`, :mod:`.grading`, :mod:`.community`, :mod:`.loop` for the course's
series); the rules live in the core
(:mod:`koula`, the community's in :mod:`koula.use_cases`) and the page in the
shared UI (:mod:`koula_ui`). Every handler wears one guard
(:func:`.responses.guarded`), which answers the core's refusals (not set up,
not permitted, malformed) as the contract words them. No module of this
package imports this one.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from webob import Response
from xblock.core import XBlock

from koula import (
    Actor,
    KoulaError,
    NotPermitted,
    assign_host,
    community_of,
    hand_over_event,
    report_of,
    shared_cards,
)
from koula.messages import N_, translate
from koula_ui.assets import asset_text
from koula_xblock import compat
from koula_xblock.community import CommunityMixin
from koula_xblock.grading import GradingMixin
from koula_xblock.learner import LearnerMixin
from koula_xblock.loop import LoopMixin
from koula_xblock.my_data import MyDataMixin
from koula_xblock.olx import OlxMixin
from koula_xblock.records import records_listing, report_rows
from koula_xblock.responses import guarded, json_action, json_response
from koula_xblock.scenarios import workbench_scenarios as _scenarios
from koula_xblock.settings import SettingsMixin
from koula_xblock.staff import StaffLinks, csv_lines, detail_of, report_page
from koula_xblock.studio import StudioMixin
from koula_xblock.tracking import publish_xapi_events
from koula_xblock.views import ViewsMixin

__all__ = ["KoulaXBlock"]

RECORDS_ARE_STAFF_ONLY = N_("Only course staff can see the learners' records.")
SHARED_ASSETS = {
    "public/koula.js": "koula.js",
    "public/koula.css": "koula.css",
    "public/koula-staff.js": "koula-staff.js",
    "public/koula-staff.css": "koula-staff.css",
}


@XBlock.needs("i18n")
@XBlock.wants("user")
@XBlock.wants("studio_user_permissions")  # Studio's word on who may edit the settings
@XBlock.wants("koula_records")  # a record store the runtime may offer (tests: a fake)
@XBlock.wants("koula_course")  # the course's Koula blocks, if the runtime lists them (tests)
class KoulaXBlock(
    SettingsMixin,
    StudioMixin,
    OlxMixin,
    ViewsMixin,
    MyDataMixin,
    LearnerMixin,
    CommunityMixin,
    LoopMixin,
    GradingMixin,
    XBlock,
):
    """Practise in session, commit to an experiment at work, come back and report."""

    icon_class = "problem"

    @json_action
    def save_draft(self, data: Any, suffix: str = "") -> Any:
        return self.act("save_draft", data)

    @json_action
    def submit_deliverable(self, data: Any, suffix: str = "") -> Any:
        return self.act("submit_deliverable", data)

    @json_action
    def commit_experiment(self, data: Any, suffix: str = "") -> Any:
        answer = self.act("commit_experiment", data)
        self.register_due_date()
        return answer

    @json_action
    def submit_return(self, data: Any, suffix: str = "") -> Any:
        return self.act("submit_return", data)

    @json_action
    def volunteer_host(self, data: Any, suffix: str = "") -> Any:
        return self.act("volunteer_host", data)

    @json_action
    def share_card(self, data: Any, suffix: str = "") -> Any:
        return self.act("share_card", data)

    @json_action
    def reuse_card(self, data: Any, suffix: str = "") -> Any:
        return self.act("reuse_card", data, community_of(self.community(), self.reader()))

    @json_action
    def shared_cards(self, data: Any, suffix: str = "") -> Any:
        """One page of the cards shared in this block, searched (``{"query", "offset"}``)."""
        template, language = self.template(), self.learner_language()
        return shared_cards(
            self.community(), template, data, reader=self.reader(), language=language
        )

    @json_action
    def assign_host(self, data: Any, suffix: str = "") -> Any:
        """Staff, or the learner hosting now, hand the next session over."""
        name = data.get("next_host") if isinstance(data, dict) else None
        actor = Actor(self.reader(), staff=compat.user_is_staff(self))
        language = self.learner_language()
        answer = assign_host(self.community(), name, by=actor, language=language)
        if not actor.staff:  # the learner hosting now handed over: an xAPI statement
            events = [hand_over_event(dt.datetime.now(dt.UTC), language=language)]
            publish_xapi_events(self, events, None)
        return answer

    @XBlock.handler
    @guarded
    def staff_report(self, request: Any, suffix: str = "") -> Any:
        """The impact report as a page of its own, with one learner's answers (``?learner=``)."""
        self.require_staff(RECORDS_ARE_STAFF_ONLY)
        template, community = self.template(), self.community()
        page = report_page(
            template,
            report_of(community, template),
            language=self.learner_language(),
            links=self.staff_links(),
            detail=detail_of(template, community.members(), request.GET.get("learner")),
        )
        return Response(page, content_type="text/html", charset="utf-8")

    @XBlock.handler
    @guarded
    def staff_records(self, request: Any, suffix: str = "") -> Any:
        """Answer every learner's newest record to course staff, 403 to anyone else."""
        self.require_staff(RECORDS_ARE_STAFF_ONLY)
        return json_response(records_listing(compat.record_store(self), self))

    @XBlock.handler
    @guarded
    def export_csv(self, request: Any, suffix: str = "") -> Any:
        """Stream every learner's record as CSV to course staff, 403 to anyone else."""
        self.require_staff(RECORDS_ARE_STAFF_ONLY)
        lines = csv_lines(self.template(), self.community().members())
        response = Response(content_type="text/csv", charset="utf-8", app_iter=lines)
        response.content_disposition = 'attachment; filename="koula.csv"'
        return response

    def generate_report_data(
        self, user_state_iterator: Iterable[Any], limit_responses: int | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield the rows of the LMS problem-responses report (see :func:`.records.report_rows`)."""
        try:
            template = self.template()
        except KoulaError:
            return iter(())
        return report_rows(template, user_state_iterator, limit_responses)

    def require_staff(self, message: str) -> None:
        """Raise NotPermitted (403, ``message`` translated) unless the user is course staff."""
        if not compat.user_is_staff(self):
            raise NotPermitted({"_": translate(self.learner_language(), message)})

    def staff_links(self) -> StaffLinks:
        url = self.runtime.handler_url
        return StaffLinks(
            url(self, "assign_host"), url(self, "staff_report"), url(self, "export_csv")
        )

    @classmethod
    def open_local_resource(cls, uri: str | bytes) -> Any:
        """Serve the shared UI's script and stylesheet besides this package's ``public/``."""
        name = uri.decode() if isinstance(uri, bytes) else uri
        if name in SHARED_ASSETS:
            return io.BytesIO(asset_text(SHARED_ASSETS[name]).encode("utf-8"))
        return super().open_local_resource(uri)

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        return _scenarios()
