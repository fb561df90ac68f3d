"""The host's run-sheet: each phase with its timer, its prompt and its host notes, and the roles.

:func:`render_runsheet` draws, for the staff and for the learner hosting this
session, every phase of the template in order (title, minutes, mode, where it
sits in the session, the prompt participants get and the host notes they do
not), a timer per phase (start, pause, next; time left as mm:ss and overrun as
"+mm:ss" in words), the session's length and planned end, its roles (rotating
ones marked) and who hosts next or has volunteered, as the adapter says.
``koula_ui/static/koula-staff.js`` runs the timers; without it the page still reads as a
printed run-sheet. Template texts are split into paragraphs, and lines that
start with "- " into bulleted lists, so host notes read as the checklists they are.
Given the series' check-in (:mod:`koula_ui.runsheet_check_in`), the first phase
lists the experiments from earlier sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from koula import CheckIn, LocalizedText, SessionTemplate
from koula.messages import Gettext, gettext_for, pick_language
from koula_ui.environment import environment_for
from koula_ui.render import _id_prefix
from koula_ui.runsheet_check_in import check_in_view
from koula_ui.strings import mode_words

__all__ = ["render_runsheet", "text_blocks"]

BULLET = "- "


@dataclass(frozen=True)
class Block:
    """A paragraph (``p``, one line) or a bulleted list (``ul``, one line per item)."""

    kind: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class PhaseView:
    key: str
    id: str
    number: int
    title: str
    minutes: int
    mode: str
    span: str
    prompt: tuple[Block, ...]
    notes: tuple[Block, ...]


def text_blocks(text: str) -> tuple[Block, ...]:
    """Return ``text`` as paragraphs and bulleted lists (runs of lines starting with "- ")."""
    blocks: list[Block] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith(BULLET):
            item = line[len(BULLET) :].strip()
            if blocks and blocks[-1].kind == "ul":
                blocks[-1] = Block("ul", (*blocks[-1].lines, item))
            else:
                blocks.append(Block("ul", (item,)))
        else:
            blocks.append(Block("p", (line,)))
    return tuple(blocks)


def clock(minutes: int) -> str:
    """Return a number of minutes as h:mm ("1:05")."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def render_runsheet(
    *,
    template: SessionTemplate,
    language: str,
    uid: str,
    next_host: str | None = None,
    volunteers: Sequence[str] = (),
    auto_mount: bool = False,
    check_in: CheckIn | None = None,
) -> str:
    """Return the HTML fragment of the run-sheet of ``template``, in ``language``.

    ``next_host`` and ``volunteers`` are display names the adapter gives; ``uid`` makes
    the ids unique and keys the timers the browser keeps; ``auto_mount`` marks the root
    for ``koula-staff.js`` to start by itself (otherwise call ``KoulaStaff.mount``).
    ``check_in`` (:func:`koula.check_in`) lists the experiments from earlier sessions in
    the first phase, the check-in of the library's templates.
    """
    language = pick_language(language)
    _ = gettext_for(language)
    prefix = _id_prefix(uid)
    phases = _phases(template, prefix, language, _)
    script = {
        "key": f"{uid}:{template.id}:" + ",".join(f"{p.key}={p.minutes}" for p in phases),
        "lang": language,
        "phases": [{"key": p.key, "title": p.title, "minutes": p.minutes} for p in phases],
        "i18n": script_strings(_),
    }
    return (
        environment_for(language)
        .get_template("runsheet.html")
        .render(
            lang=language,
            uid=uid,
            prefix=prefix,
            auto_mount=auto_mount,
            title=template.title.get(language),
            total=template.total_minutes(),
            phases=phases,
            roles=[
                (r.title.get(language), r.description.get(language), r.rotates)
                for r in template.roles
            ],
            next_host=next_host,
            volunteers=list(volunteers),
            script=script,
            clock_left=_("{time} left"),
            check_in=check_in_view(check_in, language, _) if check_in is not None else None,
        )
    )


def _phases(template: SessionTemplate, prefix: str, language: str, _: Gettext) -> list[PhaseView]:
    modes, views, start = mode_words(_), [], 0
    for number, phase in enumerate(template.phases, start=1):
        end = start + phase.minutes
        views.append(
            PhaseView(
                key=phase.key,
                id=f"{prefix}-phase{number}",
                number=number,
                title=phase.title.get(language),
                minutes=phase.minutes,
                mode=modes.get(phase.mode.value, phase.mode.value),
                span=_("{start} to {end} into the session").format(
                    start=clock(start), end=clock(end)
                ),
                prompt=_blocks(phase.prompt, language),
                notes=_blocks(phase.host_notes, language),
            )
        )
        start = end
    return views


def _blocks(text: LocalizedText, language: str) -> tuple[Block, ...]:
    return text_blocks(text.get(language)) if text else ()


def script_strings(_: Gettext) -> dict[str, Any]:
    """Return the translated strings ``koula-staff.js`` writes, ``{name}`` where a value goes."""
    return {
        "left": _("{time} left"),
        "over": _("+{time} over time"),
        "idle": _("Not started"),
        "running": _("Running"),
        "paused": _("Paused"),
        "done": _("Done"),
        "now": _("Now: {phase}, {minutes} min."),
        "overrun": _("{phase} is over time."),
        "finished": _("Session finished."),
        "planned": _("Planned end: {time}."),
        "expected": _("Expected end at this pace: {time}."),
        "ended": _("Ended at {time}; planned end {planned}."),
        "reset_confirm": _("Press again to reset every timer"),
        "reset_done": _("Timers reset."),
    }
