"""The Jinja2 environments of the shared templates, one per language.

Each environment autoescapes, loads ``koula_ui/templates`` and has the
gettext function of its language installed (``{{ _("...") }}`` in a
template), so a French learner and an English one can be served one after
the other without sharing state. All UI strings are English msgids; the
catalogs live with the core in ``koula/locale``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from koula.messages import gettext_for, pick_language
from koula_ui.strings import format_date, iso_date

__all__ = ["TEMPLATES_DIR", "environment_for"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def environment_for(language: str | None, *, extra_dirs: tuple[Path, ...] = ()) -> Environment:
    """Return the (cached) environment whose ``_`` speaks ``language`` (English by default).

    An adapter passes its own template folders in ``extra_dirs``; they are searched
    first, and its pages can include or extend the shared templates.
    """
    return _environment(pick_language(language), extra_dirs)


def _kept_answers(newstyle: Any, _: Any) -> Any:
    """The extension's gettext, with the answer to each message without variables kept.

    The extension translates, wraps in ``Markup`` and %-formats every string at every
    render (a page has a few hundred); in one language's environment the answer to a message
    never changes.
    """
    answers: dict[str, Markup] = {}

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> Any:
        if variables or not context.eval_ctx.autoescape:
            return context.call(newstyle, message, **variables)
        answer = answers.get(message)
        if answer is None:
            answer = answers[message] = Markup(_(message)) % {}
        return answer

    return gettext


@lru_cache(maxsize=32)
def _environment(language: str, extra_dirs: tuple[Path, ...]) -> Environment:
    _ = gettext_for(language)
    env = Environment(
        loader=FileSystemLoader([*extra_dirs, TEMPLATES_DIR]),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the package and change only with a new version, in a new
        # process: a compiled template is reused without looking at its file again.
        auto_reload=False,
    )
    # The templates use no plural forms; ngettext is required by the extension all the same.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _, lambda singular, plural, n: _(singular) if n == 1 else _(plural), newstyle=True
    )
    env.globals["_"] = env.globals["gettext"] = _kept_answers(env.globals["gettext"], _)

    def time_tag(value: object) -> Markup:
        """Return ``<time datetime="YYYY-MM-DD">14 December 2026</time>`` (empty when absent)."""
        day = iso_date(value)  # type: ignore[arg-type]
        if day is None:
            return Markup("")
        # An f-string of escaped parts: Markup.format costs twice as much (issue 14).
        return Markup(f'<time datetime="{escape(day)}">{escape(format_date(day, _))}</time>')

    env.filters["time"] = time_tag
    return env
