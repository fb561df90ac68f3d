"""A learner's own data in the block, and the privacy notice (``docs/privacy.md``).

Contract: a block using :class:`MyDataMixin` gets two ``GET`` handlers for the current user,
linked from the learner page (``koula_ui/templates/learner_data.html``):

* ``my_data``: "Download my answers", what the block holds about the current learner as a
  JSON attachment, in the shape of the LTI tool's (``docs/learner-api.md``): their state
  with progress, how many others marked their shared card, the hand-overs naming them;
* ``privacy_notice``: a short page, in the learner's language (or ``?lang=fr|en``), saying
  what the block keeps, who sees it and how long (until the platform retires the user).

It needs ``learner_state``, ``display_name``, ``template()``, ``learner_language()``,
``community()`` and ``reader()``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from markupsafe import escape
from webob import Response
from xblock.core import XBlock

from koula import (
    KoulaError,
    LearnerState,
    export_of,
    format_time,
    marks_on_card,
    names_learner,
)
from koula.messages import N_, pick_language, translate
from koula_xblock import compat
from koula_xblock.records import usage_text
from koula_xblock.responses import guarded

if TYPE_CHECKING:
    from koula import SessionTemplate
    from koula_xblock.community import BlockActivity

__all__ = ["DATA_FILE", "EXPORT_VERSION", "MyDataMixin", "block_export", "privacy_page"]

DATA_FILE = "koula-my-answers.json"
EXPORT_VERSION = 1
NOTICE_TITLE = N_("Your data in this Koula activity")
NOTICE = (
    N_(
        "What is kept: your answers and drafts in this activity (practice card, commitment, "
        "return), the date of each step, your progress and score, whether you shared your "
        "card, the cards you marked \u201cI will use this\u201d and your offer to host. The "
        "platform also keeps a copy of your answers after each change, with your name, for "
        "the course staff's records."
    ),
    N_(
        "Who sees it: you, on this page; the course staff, who see every learner's answers "
        "(report, records, CSV). Other learners see only a practice card you chose to share, "
        "with your name, and your name when you host a session. The platform's tracking log "
        "and learning analytics record what you did, never what you wrote."
    ),
    N_(
        "How long: until the platform retires your account (when you delete it, or ask its "
        "administrators to). Koula then empties everything you wrote in every Koula activity "
        "and puts a neutral label in place of your name; the report's counts stay."
    ),
    N_(
        "\u201cDownload my answers\u201d on the activity's page gives you a copy of your data "
        "in this activity. For anything else, or to have your account retired, ask this "
        "platform's administrators."
    ),
)


class MyDataMixin:
    """The learner's "Download my answers" and the privacy notice (module docstring)."""

    if TYPE_CHECKING:
        learner_state: dict[str, Any]
        display_name: str
        runtime: Any
        scope_ids: Any

        def template(self) -> SessionTemplate: ...
        def learner_language(self) -> str: ...
        def community(self) -> BlockActivity: ...
        def reader(self) -> str: ...

    def learner_data_links(self) -> dict[str, str]:
        """The learner page's links (``render_activity``'s ``data_url`` and ``privacy_url``)."""
        url = self.runtime.handler_url
        return {"data_url": url(self, "my_data"), "privacy_url": url(self, "privacy_notice")}

    @XBlock.handler
    @guarded
    def my_data(self, request: Any, suffix: str = "") -> Any:
        """The current learner's data in this block, as a JSON attachment."""
        data = block_export(self, now=dt.datetime.now(dt.UTC))
        text = json.dumps(data, ensure_ascii=False, indent=2)
        response = Response(text, content_type="application/json", charset="utf-8")
        response.content_disposition = f'attachment; filename="{DATA_FILE}"'
        response.cache_control = "private, no-store"
        return response

    @XBlock.handler
    def privacy_notice(self, request: Any, suffix: str = "") -> Any:
        """The privacy notice, in ``?lang=`` (fr or en), else the learner's language."""
        language = pick_language(request.GET.get("lang", ""), self.learner_language())
        page = privacy_page(language)
        response = Response(page, content_type="text/html", charset="utf-8")
        response.content_language = language
        return response


def block_export(block: Any, *, now: dt.datetime) -> dict[str, Any]:
    """Return what ``block`` holds about its current learner (the LTI tool's shape, without
    what only the tool keeps: scores outbox, statements, reminders)."""
    try:
        template = block.template()
    except KoulaError:
        template = None
    state = LearnerState.from_data(block.learner_state)
    community = block.community()
    reader, name = block.reader(), compat.user_name(block)
    marks = (member[2].will_use for member in community.members() if member[0] != reader)
    return {
        "koula_export": EXPORT_VERSION,
        "exported_at": format_time(now),
        "learner_id": reader,
        "name": name,
        "activity": {
            "id": usage_text(block.scope_ids.usage_id),
            "title": block.display_name,
            "state": export_of(state, template),
            "card_marked_by_others": marks_on_card(community.card_scope(), reader, marks)
            if state.shared_at
            else 0,
            "host_turns": [
                {"name": turn.name, "at": format_time(turn.at)}
                for turn in community.turns()
                if turn.learner_id == reader or names_learner(turn.name, [name])
            ],
        },
    }


def privacy_page(language: str) -> str:
    """Return the privacy notice as a small HTML page in ``language``."""
    title = escape(translate(language, NOTICE_TITLE))
    paragraphs = "".join(f"<p>{escape(translate(language, text))}</p>" for text in NOTICE)
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>"
        f'<body><main class="koula"><h1>{title}</h1>{paragraphs}</main></body></html>'
    )
