"""The community's part of the impact report: cards shared and reused, and host rotation.

:func:`community_view` and :func:`rotation_view` turn the core's
:class:`~koula.community_report.CommunityReport` and
:class:`~koula.rotation.Rotation` into what ``report_community.html`` draws.
"""

from __future__ import annotations

from typing import Any

from koula import CommunityReport, Figure, Rotation
from koula.messages import Gettext
from koula_ui.report_figures import figure_text
from koula_ui.strings import format_date

__all__ = ["community_view", "rotation_view"]


def community_view(report: CommunityReport, _: Gettext) -> dict[str, Any]:
    """Return the figures of the card library and its most reused cards."""
    figures = [
        (
            _("Practice cards shared with the community"),
            figure_text(Figure(report.shared, report.cards), _),
        ),
        (_('"I will use this" marks on shared cards'), str(report.reuses)),
        (
            _("Shared cards that others will use"),
            figure_text(Figure(report.cards_reused, report.shared), _),
        ),
        (_("Learners who will use a card of another"), str(report.reusers)),
    ]
    top = [
        {"title": card.title or _("(untitled card)"), "author": card.author, "reuses": card.reuses}
        for card in report.top
    ]
    return {"figures": figures, "top": top}


def rotation_view(rotation: Rotation, _: Gettext) -> dict[str, Any]:
    """Return who hosted, who hosts next, how many hosts so far and who volunteered."""
    next_host = rotation.next_host
    return {
        "turns": [
            {
                "name": turn.name,
                "date": format_date(turn.at.date(), _),
                "iso": turn.at.date().isoformat(),
            }
            for turn in rotation.turns
        ],
        "hosts": rotation.hosts,
        "next_host": next_host.name if next_host else "",
        "volunteers": list(rotation.volunteers),
    }
