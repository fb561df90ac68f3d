"""The host's tools: the run-sheet and the hand-over form, for staff and for the learner hosting.

The hand-over form (who hosts the next session) posts ``{"next_host": name}`` as
JSON to the adapter's URL (the XBlock's ``assign_host`` handler, the LTI tool's
``{api}/assign_host``), with the page's bearer ``token`` when there is one;
``koula_ui/static/koula-staff.js`` sends it and shows the answer in a status line.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from koula import CheckIn, SessionTemplate
from koula.messages import pick_language, translate
from koula_ui.environment import environment_for
from koula_ui.render import _id_prefix
from koula_ui.runsheet import render_runsheet

__all__ = ["render_handover", "render_host_tools"]


def render_host_tools(
    *,
    template: SessionTemplate,
    language: str,
    uid: str,
    next_host: str,
    volunteers: Sequence[str],
    url: str | None,
    token: str | None = None,
    for_learner: bool = False,
    check_in: CheckIn | None = None,
) -> str:
    """Return the run-sheet and, when ``url`` is given, the hand-over form posting there.

    ``for_learner`` starts with a line telling the learner they host the next session;
    ``check_in`` (:func:`koula.check_in`) lists the earlier sessions' experiments in the
    run-sheet's first phase.
    """
    note = ""
    if for_learner:
        text = translate(language, "You host the next session: here is its run-sheet.")
        note = Markup('<p class="koula-host-note" role="note">{}</p>').format(escape(text))
    runsheet = render_runsheet(
        template=template,
        language=language,
        uid=f"{uid}-host",
        auto_mount=True,
        volunteers=volunteers,
        next_host=next_host or None,
        check_in=check_in,
    )
    handover = ""
    if url is not None:
        handover = render_handover(
            language=language,
            uid=uid,
            url=url,
            next_host=next_host,
            volunteers=volunteers,
            token=token,
        )
    return str(note) + runsheet + handover


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
