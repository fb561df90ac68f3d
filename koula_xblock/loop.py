"""The loop across sessions in the block: carry-over, the host's check-in, dates, the series.

Contract: a block using :class:`LoopMixin` gets :meth:`~LoopMixin.series` (the
course's series as the core's port, :mod:`.series`), what the page shows of it
(:meth:`~LoopMixin.page_loop`: the learner's carried experiments, the check-in,
the staff's table; never an error on the page), the learner's due
date registered with the platform's dates service after a commitment
(:meth:`~LoopMixin.register_due_date`, edx-when through :mod:`.compat`), and three
handlers: ``experiment_calendar`` (the learner's own ``.ics``), and for course staff
only (403 otherwise) ``series_report`` and ``series_csv``. It needs the
``learner_state`` field, ``learner_language()``, ``reader()`` and ``require_staff()``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from webob import Response
from xblock.core import XBlock
from xblock.fields import Scope, String

from koula import (
    Actor,
    CarriedExperiment,
    CheckIn,
    Conflict,
    LearnerState,
    SeriesReport,
    carried_over,
    check_in,
    commitment_calendar,
    series_report,
    stream_series_csv,
)
from koula.messages import N_, translate
from koula_xblock import compat
from koula_xblock.records import usage_text
from koula_xblock.responses import guarded
from koula_xblock.series import BlockSeries, session_of
from koula_xblock.staff_series import SeriesLinks, series_page

__all__ = ["CALENDAR_FILE", "NO_LOOP", "LoopMixin", "PageLoop"]

log = logging.getLogger(__name__)

SERIES_IS_STAFF_ONLY = N_("Only course staff can see the series report.")
NOT_IN_SERIES = N_("This activity is not set up yet, so it has no experiment to add to a calendar.")
CALENDAR_FILE = "koula-experiment.ics"


@dataclass(frozen=True)
class PageLoop:
    """What a page shows of the series: the learner's carried experiments, the check-in (staff
    and the learner host), the series' figures (staff)."""

    carried: Sequence[CarriedExperiment] = ()
    check_in: CheckIn | None = None
    series: SeriesReport | None = None


NO_LOOP = PageLoop()


class LoopMixin:
    """The series of the block's course, and what the loop across sessions needs of it."""

    registered_due_on = String(
        default="",
        scope=Scope.user_state,
        help="The due date last registered with the platform's dates service (YYYY-MM-DD).",
    )

    if TYPE_CHECKING:
        learner_state: dict[str, Any]
        runtime: Any
        scope_ids: Any

        def learner_language(self) -> str: ...
        def reader(self) -> str: ...
        def require_staff(self, message: str) -> None: ...

    def series(self) -> BlockSeries:
        """Return the course's series, read by the current user in their language."""
        return BlockSeries(
            compat.course_blocks(self),
            store=compat.record_store(self),
            language=self.learner_language(),
            now=dt.datetime.now(dt.UTC),
        )

    def page_loop(self, *, staff: bool, host: bool) -> PageLoop:
        """Return what the page shows of the series for the current user.

        The series is secondary on the page: when it cannot be read (the modulestore or
        the record store failing), the page shows the activity without it, and the
        error is logged.
        """
        try:
            series = self.series()
            return PageLoop(
                carried=self.carried(series),
                check_in=self.check_in_for(series, staff=staff) if staff or host else None,
                series=series_report(series) if staff else None,
            )
        except Exception:
            log.exception("Koula: the course's series of %s could not be read", self.scope_ids)
            return NO_LOOP

    def carried(self, series: BlockSeries) -> list[CarriedExperiment]:
        """Return the current learner's open experiments from earlier sessions."""
        return carried_over(series, learner_id=self.reader(), session_id=self._session_id())

    def check_in_for(self, series: BlockSeries, *, staff: bool) -> CheckIn:
        """Return the host's check-in of this session for the current user."""
        viewer = Actor(self.reader(), staff=staff)
        language = self.learner_language()
        return check_in(series, session_id=self._session_id(), viewer=viewer, language=language)

    def series_links(self) -> SeriesLinks:
        url = self.runtime.handler_url
        return SeriesLinks(url(self, "series_report"), url(self, "series_csv"))

    def register_due_date(self) -> None:
        """After a commitment, register its due date as the learner's date with the platform
        (once per due date: a revision of the commitment keeps it)."""
        due_on = LearnerState.from_data(self.learner_state).commitment.due_on
        if due_on is None or due_on.isoformat() == self.registered_due_on:
            return
        if compat.register_due_date(self, due_on):
            self.registered_due_on = due_on.isoformat()

    @XBlock.handler
    @guarded
    def experiment_calendar(self, request: Any, suffix: str = "") -> Any:
        """The current learner's experiment as an ``.ics`` file, in their language."""
        language = self.learner_language()
        session = session_of(self, 0, language=language)
        if session is None:
            raise Conflict({"_": translate(language, NOT_IN_SERIES)})
        text = commitment_calendar(
            session,
            self.reader(),
            LearnerState.from_data(self.learner_state),
            language=language,
            now=dt.datetime.now(dt.UTC),
            url=compat.unit_url(self, absolute=True),
        )
        response = Response(text, content_type="text/calendar", charset="utf-8")
        response.content_disposition = f'attachment; filename="{CALENDAR_FILE}"'
        return response

    @XBlock.handler
    @guarded
    def series_report(self, request: Any, suffix: str = "") -> Any:
        """The series report of the course, as a page of its own, for course staff."""
        self.require_staff(SERIES_IS_STAFF_ONLY)
        page = series_page(
            series_report(self.series()),
            language=self.learner_language(),
            csv_url=self.series_links().csv,
        )
        return Response(page, content_type="text/html", charset="utf-8")

    @XBlock.handler
    @guarded
    def series_csv(self, request: Any, suffix: str = "") -> Any:
        """Stream the series CSV (one row per learner per session) to course staff."""
        self.require_staff(SERIES_IS_STAFF_ONLY)
        lines = stream_series_csv(self.series(), language=self.learner_language())
        body = (line.encode("utf-8") for line in lines)
        response = Response(content_type="text/csv", charset="utf-8", app_iter=body)
        response.content_disposition = 'attachment; filename="koula-series.csv"'
        return response

    def _session_id(self) -> str:
        return usage_text(self.scope_ids.usage_id)
