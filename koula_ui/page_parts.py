"""The parts of the learner page that hold nothing of the learner's own: the agenda, the
community's section and the offer to host.

Each is a template of its own (``agenda.html``, ``community.html``, ``host.html``) that sees
only the inputs given here, so its HTML is a function of them, the page's language and its
catalog: :func:`_drawn` draws it once per such set and keeps it (a cohort opening the same
activity gets it from memory). The inputs are a few flags, the page's id prefix and the
template's parts themselves (:class:`~koula_ui.same.Same`: a template edited by staff is new
objects, drawn anew); a learner's state only picks among a few variants.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import lru_cache

from markupsafe import Markup

from koula import SessionTemplate
from koula.messages import Gettext
from koula_ui.environment import environment_for
from koula_ui.same import Same
from koula_ui.strings import mode_words

__all__ = ["agenda_html", "community_html", "host_html"]


def agenda_html(
    template: SessionTemplate,
    language: str,
    _: Gettext,
    *,
    prefix: str,
    is_open: bool,
    preview: bool,
) -> Markup:
    """Return the session's agenda: summary, phases and roles, open or folded."""
    return _drawn(
        "agenda.html",
        language,
        _,
        (
            ("summary", Same(template.summary)),
            ("phases", Same(template.phases)),
            ("roles", Same(template.roles)),
            ("prefix", prefix),
            ("is_open", is_open),
            ("preview", preview),
        ),
    )


def community_html(
    language: str, _: Gettext, *, prefix: str, shared: bool, card_done: bool
) -> Markup:
    """Return the community's section: sharing the learner's card and searching the others'."""
    inputs = (("prefix", prefix), ("shared", shared), ("card_done", card_done))
    return _drawn("community.html", language, _, inputs)


def host_html(
    language: str, _: Gettext, *, prefix: str, next_host: str, volunteered: bool
) -> Markup:
    """Return the offer to host the next session, and who hosts it when the team said so."""
    inputs = (("prefix", prefix), ("next_host", next_host), ("volunteered", volunteered))
    return _drawn("host.html", language, _, inputs)


@lru_cache(maxsize=512)
def _drawn(
    name: str, language: str, _: Gettext, inputs: tuple[tuple[str, Hashable], ...]
) -> Markup:
    """Return template ``name`` drawn in ``language`` (whose gettext is ``_``) from ``inputs``."""
    values = {key: value.item if isinstance(value, Same) else value for key, value in inputs}
    html = (
        environment_for(language)
        .get_template(name)
        .render(lang=language, modes=mode_words(_), **values)
    )
    return Markup(html)
