"""What course staff see under the activity in Open edX: the run-sheet and the impact report.

Built from the record store (:mod:`.records`), so it covers every learner of
the block; the CSV export streams from the same records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from koula.export import stream_csv
from koula.impact import ImpactAccumulator
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula_ui.environment import environment_for
from koula_ui.report import MAX_ROWS, render_report
from koula_ui.report_learners import learner_row
from koula_ui.runsheet import render_runsheet
from koula_xblock import compat

if TYPE_CHECKING:
    from koula_xblock.block import KoulaXBlock

__all__ = ["csv_lines", "learners", "staff_html"]

TEMPLATES = Path(__file__).resolve().parent / "templates"


def learners(block: KoulaXBlock) -> Iterator[tuple[str, LearnerState]]:
    """Yield ``(learner id, state)`` for every learner with a record in ``block``."""
    for learner_id, record in compat.record_store(block).iter_records(block):
        yield learner_id, LearnerState.from_data(record)


def staff_html(block: KoulaXBlock, template: SessionTemplate, language: str, uid: str) -> str:
    """Return the run-sheet and the impact report of ``block`` for staff."""
    accumulator = ImpactAccumulator(template)
    rows: list[dict[str, Any]] = []
    offers: list[tuple[dt.datetime, str]] = []
    for learner_id, state in learners(block):
        accumulator.add(learner_id, state)
        if len(rows) < MAX_ROWS:
            rows.append(learner_row(template, learner_id, state))
        if state.volunteered_at is not None:
            offers.append((state.volunteered_at, learner_id))
    report = accumulator.report(computed_at=dt.datetime.now(dt.UTC))
    csv_url = block.runtime.handler_url(block, "export_csv")
    volunteers = [who for _when, who in sorted(offers)]
    form = (
        environment_for(language, extra_dirs=(TEMPLATES,))
        .get_template("next_host.html")
        .render(
            url=block.runtime.handler_url(block, "assign_host"),
            language=language,
            uid=uid,
            next_host=block.next_host or "",
            volunteers=volunteers,
        )
    )
    return (
        render_runsheet(
            template=template,
            language=language,
            uid=f"{uid}-host",
            auto_mount=True,
            volunteers=volunteers,
            next_host=block.next_host or None,
        )
        + form
        + render_report(
            template=template,
            report=report,
            learners=rows,
            language=language,
            uid=f"{uid}-report",
            csv_url=csv_url,
        )
    )


def csv_lines(block: KoulaXBlock, template: SessionTemplate) -> Iterator[bytes]:
    """Yield the block's CSV export, UTF-8 with a BOM, one learner per line."""
    for line in stream_csv(template, learners(block)):
        yield line.encode("utf-8")
