"""The hand-over form: who hosts the next session, chosen by staff or by the host of this one.

The form posts ``{"next_host": name}`` as JSON to the adapter's URL (the
XBlock's ``assign_host`` handler, the LTI tool's ``{api}/assign_host``), with the
page's bearer ``token`` when there is one; ``static/koula-staff.js`` sends it
and shows the answer in a status line.
"""

from __future__ import annotations

from collections.abc import Sequence

from koula.messages import pick_language
from koula_ui.environment import environment_for
from koula_ui.render import _id_prefix

__all__ = ["render_handover"]


def render_handover(
    *,
    language: str,
    uid: str,
    url: str,
    next_host: str,
    volunteers: Sequence[str],
    token: str | None = None,
) -> str:
    language = pick_language(language)
    return (
        environment_for(language)
        .get_template("handover.html")
        .render(
            lang=language,
            prefix=_id_prefix(f"{uid}-handover"),
            url=url,
            next_host=next_host,
            volunteers=list(volunteers),
            token=token,
        )
    )
