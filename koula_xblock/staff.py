"""What course staff see under the activity in Open edX: the run-sheet and the impact report.

Built from values the block hands over: the template, the reader's language,
what the core gathered from the block's members
(:func:`koula.use_cases.gathering.report_of`) and the handler URLs. The
learner hosting the next session gets the run-sheet and the hand-over form
too (:func:`host_html`); the CSV export streams from the same members.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from koula import CheckIn, Gathered, Member, SessionTemplate, stream_members_csv
from koula.messages import translate
from koula_ui.assets import asset_text
from koula_ui.handover import render_host_tools
from koula_ui.report import learner_detail, render_gathered

__all__ = ["StaffLinks", "csv_lines", "detail_of", "host_html", "report_page", "staff_html"]


@dataclass(frozen=True)
class StaffLinks:
    """The block's handler URLs the staff pages link to."""

    assign_host: str
    staff_report: str
    export_csv: str

    def learner(self) -> str:
        """Return the URL template of one learner's answers (``{learner_id}`` to fill in)."""
        joiner = "&" if "?" in self.staff_report else "?"
        return f"{self.staff_report}{joiner}learner={{learner_id}}"


def host_html(
    template: SessionTemplate,
    *,
    language: str,
    uid: str,
    next_host: str,
    volunteers: list[str],
    url: str,
    for_learner: bool = True,
    check_in: CheckIn | None = None,
) -> str:
    """Return the run-sheet and the hand-over form (what the learner hosting next gets), with
    the earlier sessions' experiments in the run-sheet's first phase (``check_in``)."""
    return render_host_tools(
        template=template,
        language=language,
        uid=uid,
        next_host=next_host,
        volunteers=volunteers,
        url=url,
        for_learner=for_learner,
        check_in=check_in,
    )


def staff_html(
    template: SessionTemplate,
    found: Gathered,
    *,
    language: str,
    uid: str,
    next_host: str,
    links: StaffLinks,
    check_in: CheckIn | None = None,
) -> str:
    """Return the run-sheet (with the check-in), the hand-over form and the impact report."""
    tools = host_html(
        template,
        language=language,
        uid=uid,
        next_host=next_host,
        volunteers=found.volunteers,
        url=links.assign_host,
        for_learner=False,
        check_in=check_in,
    )
    return tools + _report(template, found, language, f"{uid}-report", links)


def report_page(
    template: SessionTemplate,
    found: Gathered,
    *,
    language: str,
    links: StaffLinks,
    detail: dict[str, Any] | None,
) -> str:
    """Return the report as a whole page (printable), with one learner's answers if given."""
    body = _report(template, found, language, "page-report", links, detail)
    title = escape(translate(language, "Impact report"))
    style = asset_text("koula-staff.css")
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{style}</style></head><body>{body}</body></html>"
    )


def detail_of(
    template: SessionTemplate, members: Iterable[Member], learner: str | None
) -> dict[str, Any] | None:
    """Return the drill-down of ``learner`` among ``members``, or None."""
    for learner_id, name, state in members if learner is not None else ():
        if learner_id == learner:
            return learner_detail(template, learner_id, state, name=name or None)
    return None


def csv_lines(template: SessionTemplate, members: Iterable[Member]) -> Iterator[bytes]:
    """Yield the CSV export of ``members``, UTF-8 with a BOM, one learner per line, each
    named as the block knows them (the ``name`` column; there is no roster here)."""
    for line in stream_members_csv(template, members):
        yield line.encode("utf-8")


def _report(
    template: SessionTemplate,
    found: Gathered,
    language: str,
    uid: str,
    links: StaffLinks,
    detail: dict[str, Any] | None = None,
) -> str:
    return render_gathered(
        found,
        template=template,
        language=language,
        uid=uid,
        csv_url=links.export_csv,
        detail=detail,
        detail_url_template=links.learner(),
    )
