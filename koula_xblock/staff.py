"""What course staff see under the activity in Open edX: the run-sheet and the impact report.

Built from the record store (:mod:`.records`), so it covers every learner of
the block; the CSV export streams from the same records. The learner hosting
the next session gets the run-sheet and the hand-over form too (:func:`host_html`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from markupsafe import escape

from koula.export import stream_csv
from koula.messages import translate
from koula.rotation import turns_from_data, volunteers_of
from koula.template import SessionTemplate
from koula_ui.assets import asset_text
from koula_ui.handover import render_host_tools
from koula_ui.report import Gathered, gather, learner_detail, render_gathered
from koula_xblock import compat
from koula_xblock.community import card_scope, members

if TYPE_CHECKING:
    from koula_xblock.block import KoulaXBlock

__all__ = ["csv_lines", "host_html", "staff_html", "staff_report_page"]


def _gather(block: KoulaXBlock, template: SessionTemplate) -> Gathered:
    return gather(
        template,
        members(block),
        scope=card_scope(block),
        turns=turns_from_data(block.host_turns),
    )


def _host_tools(
    block: KoulaXBlock, template: SessionTemplate, language: str, uid: str, volunteers: list[str]
) -> str:
    return render_host_tools(
        template=template,
        language=language,
        uid=uid,
        next_host=block.next_host or "",
        volunteers=volunteers,
        url=block.runtime.handler_url(block, "assign_host"),
        for_learner=not compat.user_is_staff(block),
    )


def staff_html(block: KoulaXBlock, template: SessionTemplate, language: str, uid: str) -> str:
    """Return the run-sheet, the hand-over form and the impact report of ``block`` for staff."""
    found = _gather(block, template)
    return _host_tools(block, template, language, uid, found.volunteers) + _report(
        block, template, language, uid, found
    )


def host_html(block: KoulaXBlock, template: SessionTemplate, language: str, uid: str) -> str:
    """Return what the learner hosting the next session gets: the run-sheet and the hand-over."""
    return _host_tools(block, template, language, uid, volunteers_of(members(block)))


def _report(
    block: KoulaXBlock,
    template: SessionTemplate,
    language: str,
    uid: str,
    found: Gathered,
    learner: str | None = None,
) -> str:
    detail = None
    if learner is not None:
        chosen = [(i, n, s) for i, n, s in members(block) if i == learner]
        if chosen:
            learner_id, name, state = chosen[0]
            detail = learner_detail(template, learner_id, state, name=name or None)
    page_url = block.runtime.handler_url(block, "staff_report")
    return render_gathered(
        found,
        template=template,
        language=language,
        uid=f"{uid}-report",
        csv_url=block.runtime.handler_url(block, "export_csv"),
        detail=detail,
        detail_url_template=page_url + ("&" if "?" in page_url else "?") + "learner={learner_id}",
    )


def staff_report_page(block: KoulaXBlock, template: SessionTemplate, learner: str | None) -> str:
    """Return the report as a whole page (printable), with ``learner``'s answers when given."""
    language = block.learner_language()
    found = _gather(block, template)
    body = _report(block, template, language, "page", found, learner)
    title = escape(translate(language, "Impact report"))
    style = asset_text("koula-staff.css")
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{style}</style></head><body>{body}</body></html>"
    )


def csv_lines(block: KoulaXBlock, template: SessionTemplate) -> Iterator[bytes]:
    """Yield the block's CSV export, UTF-8 with a BOM, one learner per line."""
    learners = ((learner_id, state) for learner_id, _name, state in members(block))
    for line in stream_csv(template, learners):
        yield line.encode("utf-8")
