"""The Koula XBlock: a community-of-practice session in an Open edX course.

A thin adapter: settings and Studio editing come from :mod:`.settings`, OLX
from :mod:`.olx`, the learner actions from :mod:`.learner`; the rules live in
the core (:mod:`koula`) and the page in the shared UI (:mod:`koula_ui`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from markupsafe import escape
from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Dict, List, Scope, String

from koula.activity import activity_template
from koula.errors import KoulaError
from koula.messages import N_, pick_language, translate
from koula.progress import learner_state_data
from koula.rotation import turns_from_data
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula.template_data import template_to_data
from koula_ui.assets import asset_text
from koula_ui.render import render_activity
from koula_xblock import compat
from koula_xblock.community import assign_next_host, community_of, shared_cards
from koula_xblock.learner import json_response, run_action
from koula_xblock.olx import OlxMixin
from koula_xblock.records import records_listing, report_rows
from koula_xblock.scenarios import workbench_scenarios as _scenarios
from koula_xblock.settings import SettingsMixin
from koula_xblock.staff import csv_lines, host_html, staff_html, staff_report_page

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
@XBlock.supports("multi_device")
class KoulaXBlock(SettingsMixin, OlxMixin, CompletableXBlockMixin, XBlock):
    """Practise in session, commit to an experiment at work, come back and report."""

    has_score = True
    has_custom_completion = True
    icon_class = "problem"
    next_host = String(
        default="",
        scope=Scope.user_state_summary,
        help="Who hosts the next session, as staff confirmed it.",
    )
    host_turns = List(
        default=[],
        scope=Scope.user_state_summary,
        help="The hand-overs so far, oldest first (see koula.rotation); the last is the next host.",
    )
    learner_state = Dict(
        default={}, scope=Scope.user_state, help="One learner's answers (see koula.state)."
    )

    def template(self) -> SessionTemplate:
        """Return the template learners follow here; raise a KoulaError when misconfigured."""
        return activity_template(self.activity_settings())

    def learner_language(self) -> str:
        return pick_language(self.language, compat.host_language(self))

    def max_score(self) -> float:
        return 1.0

    def student_view(self, context: Any = None) -> Fragment:
        return self._activity_fragment(preview=False)

    def author_view(self, context: Any = None) -> Fragment:
        return self._activity_fragment(preview=True)

    def student_view_data(self, context: Any = None) -> dict[str, Any]:
        template = self.template()
        return {
            "display_name": self.display_name,
            "language": self.learner_language(),
            "template": template_to_data(template),
            "state": learner_state_data(template, LearnerState.from_data(self.learner_state)),
        }

    @XBlock.json_handler
    def save_draft(self, data: Any, suffix: str = "") -> Any:
        return run_action(self, "save_draft", data)

    @XBlock.json_handler
    def submit_deliverable(self, data: Any, suffix: str = "") -> Any:
        return run_action(self, "submit_deliverable", data)

    @XBlock.json_handler
    def commit_experiment(self, data: Any, suffix: str = "") -> Any:
        return run_action(self, "commit_experiment", data)

    @XBlock.json_handler
    def submit_return(self, data: Any, suffix: str = "") -> Any:
        return run_action(self, "submit_return", data)

    @XBlock.json_handler
    def volunteer_host(self, data: Any, suffix: str = "") -> Any:
        return run_action(self, "volunteer_host", data)

    @XBlock.json_handler
    def share_card(self, data: Any, suffix: str = "") -> Any:
        return run_action(self, "share_card", data)

    @XBlock.json_handler
    def reuse_card(self, data: Any, suffix: str = "") -> Any:
        return run_action(self, "reuse_card", data, community_of(self))

    @XBlock.json_handler
    def shared_cards(self, data: Any, suffix: str = "") -> Any:
        """One page of the cards shared in this block, searched (``{"query", "offset"}``)."""
        return shared_cards(self, data)

    @XBlock.json_handler
    def assign_host(self, data: Any, suffix: str = "") -> Any:
        """Staff, or the learner hosting now, hand the next session over.

        Only they write it (a field of the whole block), so no learner's update is lost.
        """
        if not self.is_current_host():
            refused = self._staff_only(
                N_("Only course staff and this session's host can choose the next host.")
            )
            if refused is not None:
                return refused
        return assign_next_host(self, data)

    def is_current_host(self) -> bool:
        """Return True when the current user is the learner the last hand-over named."""
        turns = turns_from_data(self.host_turns)
        return bool(turns) and turns[-1].learner_id == compat.learner_id(self)

    @XBlock.handler
    def staff_report(self, request: Any, suffix: str = "") -> Any:
        """The impact report as a page of its own, with one learner's answers (``?learner=``)."""
        refused = self._staff_only(RECORDS_ARE_STAFF_ONLY)
        if refused is not None:
            return refused
        return Response(
            staff_report_page(self, self.template(), request.GET.get("learner")),
            content_type="text/html",
            charset="utf-8",
        )

    @XBlock.handler
    def staff_records(self, request: Any, suffix: str = "") -> Any:
        """Answer every learner's newest record to course staff, 403 to anyone else."""
        refused = self._staff_only(RECORDS_ARE_STAFF_ONLY)
        if refused is not None:
            return refused
        return json_response(records_listing(compat.record_store(self), self))

    @XBlock.handler
    def export_csv(self, request: Any, suffix: str = "") -> Any:
        """Stream every learner's record as CSV to course staff, 403 to anyone else."""
        refused = self._staff_only(RECORDS_ARE_STAFF_ONLY)
        if refused is not None:
            return refused
        response = Response(
            content_type="text/csv", charset="utf-8", app_iter=csv_lines(self, self.template())
        )
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

    def _staff_only(self, message: str) -> Any:
        """Return a 403 answer with ``message`` (translated) unless the user is course staff."""
        if compat.user_is_staff(self):
            return None
        text = translate(self.learner_language(), message)
        return json_response({"errors": {"_": text}}, status=403)

    def _activity_fragment(self, *, preview: bool) -> Fragment:
        language = self.learner_language()
        try:
            template = self.template()
        except KoulaError as error:
            message = translate(language, "This activity is not set up correctly yet:")
            return Fragment(
                f'<div class="koula" role="alert"><p>{escape(message)}</p>'
                f"<pre>{escape(str(error))}</pre></div>"
            )
        state = learner_state_data(template, LearnerState.from_data(self.learner_state))
        uid = re.sub(r"[^A-Za-z0-9_-]", "-", str(self.scope_ids.usage_id))
        html = render_activity(
            template=template,
            state=state,
            language=language,
            context={"display_name": self.display_name, "next_host": self.next_host},
            uid=uid,
            preview=preview,
        )
        staff = not preview and compat.user_is_staff(self)
        host = not preview and not staff and self.is_current_host()
        if staff:
            html += staff_html(self, template, language, uid)
        elif host:
            html += host_html(self, template, language, uid)
        frag = Fragment(html)
        for name in ("koula", "koula-staff") if staff or host else ("koula",):
            frag.add_css_url(self.runtime.local_resource_url(self, f"public/{name}.css"))
            frag.add_javascript_url(self.runtime.local_resource_url(self, f"public/{name}.js"))
        if not preview:
            frag.initialize_js("KoulaXBlock")
        return frag
