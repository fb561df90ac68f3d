"""What course staff see under the activity in Open edX: the run-sheet and the impact report.

Built from the record store (:mod:`.records`), so it covers every learner of
the block; the CSV export streams from the same records.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from koula.export import stream_csv
from koula.state import LearnerState
from koula.template import SessionTemplate
from koula_ui.environment import environment_for
from koula_ui.report import gather, render_report
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
    found = gather(template, ((learner_id, None, state) for learner_id, state in learners(block)))
    csv_url = block.runtime.handler_url(block, "export_csv")
    form = (
        environment_for(language, extra_dirs=(TEMPLATES,))
        .get_template("next_host.html")
        .render(
            url=block.runtime.handler_url(block, "assign_host"),
            language=language,
            uid=uid,
            next_host=block.next_host or "",
            volunteers=found.volunteers,
        )
    )
    return (
        render_runsheet(
            template=template,
            language=language,
            uid=f"{uid}-host",
            auto_mount=True,
            volunteers=found.volunteers,
            next_host=block.next_host or None,
        )
        + form
        + render_report(
            template=template,
            report=found.report,
            learners=found.rows,
            language=language,
            uid=f"{uid}-report",
            csv_url=csv_url,
        )
    )


def csv_lines(block: KoulaXBlock, template: SessionTemplate) -> Iterator[bytes]:
    """Yield the block's CSV export, UTF-8 with a BOM, one learner per line."""
    for line in stream_csv(template, learners(block)):
        yield line.encode("utf-8")
