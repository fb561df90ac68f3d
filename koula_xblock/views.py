"""The block's views: the learner page, Studio's preview, and the mobile apps' data.

Contract: a block using :class:`ViewsMixin` gets ``student_view`` (which
supports ``multi_device``, so the mobile apps show it), ``author_view`` (the
forms disabled) and ``student_view_data``. Course staff get the run-sheet, the
hand-over form and the impact report under the page, then the course's series
with links to its report and CSV; the learner hosting the next session gets the
run-sheet and the hand-over form. The run-sheet's first phase lists the
experiments from earlier sessions (the host's check-in: all for staff, the
shared ones and their own for a learner host), and a learner's open experiments
from earlier sessions come first on the page (:mod:`.loop`). A block whose
settings make no template shows why instead of the forms. It needs the
``display_name``, ``learner_state`` and ``next_host`` fields, ``template()``,
``learner_language()``, ``community()``, ``reader()``, ``staff_links()``, what
:class:`~.loop.LoopMixin` gives and ``learner_data_links()`` (:class:`~.my_data.MyDataMixin`:
"Download my answers" and the privacy notice under the learner's page).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.core import XBlock

from koula import (
    LearnerState,
    NotSetUp,
    SessionTemplate,
    is_current_host,
    learner_state_data,
    report_of,
    template_to_data,
    volunteers,
)
from koula_ui.render import render_activity
from koula_xblock import compat
from koula_xblock.loop import NO_LOOP
from koula_xblock.records import usage_text
from koula_xblock.staff import host_html, staff_html
from koula_xblock.staff_series import series_html

if TYPE_CHECKING:
    from koula_xblock.community import BlockActivity
    from koula_xblock.loop import PageLoop
    from koula_xblock.staff import StaffLinks
    from koula_xblock.staff_series import SeriesLinks

__all__ = ["ViewsMixin"]


class ViewsMixin:
    """What learners, staff, Studio and the mobile apps see of the block."""

    if TYPE_CHECKING:
        display_name: str
        learner_state: dict[str, Any]
        next_host: str
        runtime: Any
        scope_ids: Any

        def template(self) -> SessionTemplate: ...
        def learner_language(self) -> str: ...
        def community(self) -> BlockActivity: ...
        def reader(self) -> str: ...
        def staff_links(self) -> StaffLinks: ...
        def page_loop(self, *, staff: bool, host: bool) -> PageLoop: ...
        def series_links(self) -> SeriesLinks: ...
        def learner_data_links(self) -> dict[str, str]: ...

    @XBlock.supports("multi_device")
    def student_view(self, context: Any = None) -> Fragment:
        return self._page(preview=False)

    def author_view(self, context: Any = None) -> Fragment:
        return self._page(preview=True)

    def student_view_data(self, context: Any = None) -> dict[str, Any]:
        """Return the template and the learner's state (for the mobile apps)."""
        template = self.template()
        return {
            "display_name": self.display_name,
            "language": self.learner_language(),
            "template": template_to_data(template),
            "state": learner_state_data(template, LearnerState.from_data(self.learner_state)),
        }

    def _page(self, *, preview: bool) -> Fragment:
        language = self.learner_language()
        try:
            template = self.template()
        except NotSetUp as error:
            return not_set_up(error)
        uid = re.sub(r"[^A-Za-z0-9_-]", "-", str(self.scope_ids.usage_id))
        community = self.community()
        staff = not preview and compat.user_is_staff(self)
        host = not preview and not staff and is_current_host(community, self.reader())
        loop = NO_LOOP if preview else self.page_loop(staff=staff, host=host)
        html = render_activity(
            template=template,
            state=learner_state_data(template, LearnerState.from_data(self.learner_state)),
            language=language,
            context={"display_name": self.display_name, "next_host": self.next_host},
            uid=uid,
            preview=preview,
            carried=loop.carried,
            calendar_url=None if preview else self.runtime.handler_url(self, "experiment_calendar"),
            **({} if preview else self.learner_data_links()),
        )
        if staff:
            found = report_of(community, template)
            links = self.staff_links()
            html += staff_html(
                template,
                found,
                language=language,
                uid=uid,
                next_host=self.next_host,
                links=links,
                check_in=loop.check_in,
            )
            if loop.series is not None:
                html += series_html(
                    loop.series,
                    current=usage_text(self.scope_ids.usage_id),
                    language=language,
                    uid=uid,
                    links=self.series_links(),
                )
        elif host:
            html += host_html(
                template,
                language=language,
                uid=uid,
                next_host=self.next_host,
                volunteers=volunteers(community),
                url=self.staff_links().assign_host,
                check_in=loop.check_in,
            )
        frag = Fragment(html)
        for name in ("koula", "koula-staff") if staff or host else ("koula",):
            frag.add_css_url(self.runtime.local_resource_url(self, f"public/{name}.css"))
            frag.add_javascript_url(self.runtime.local_resource_url(self, f"public/{name}.js"))
        if not preview:
            frag.initialize_js("KoulaXBlock")
        return frag


def not_set_up(error: NotSetUp) -> Fragment:
    """Return the page of a block whose settings make no template: what is wrong, for staff."""
    return Fragment(
        f'<div class="koula" role="alert"><p>{escape(error.errors["_"])}</p>'
        f"<pre>{escape(error.details)}</pre></div>"
    )
