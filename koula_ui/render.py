"""The learner activity page, rendered the same for the XBlock and the LTI tool.

:func:`render_activity` turns a session template and one learner's state (the
contract's state JSON) into an HTML fragment: the header with progress, the
agenda, and the practice card, commitment and return forms. The next step comes first
(issue 12): after the header, an earlier session's open experiment, then the three parts
in loop order, only the current one open (:mod:`koula_ui.next_step`); done parts fold to one
line that opens for editing; the agenda follows, open until the card is in. The fragment
carries, in a ``<script type="application/json" class="koula-context">``, the
state and the translated strings that ``koula_ui/static/koula.js`` needs to run the
forms. Views are prepared here so the Jinja templates stay plain markup.

A page is drawn at every launch, so what holds nothing of the learner's own is made once and
kept: the questions around the learner's answers (:mod:`koula_ui.field_html`), the agenda,
the community's and the host's sections (:mod:`koula_ui.page_parts`) and the translated
strings of the script context; each cache is keyed on the template's parts themselves
(:class:`~koula_ui.same.Same`), the language and its catalog, and bounded. And the whole
fragment, for learners whose states are the same (a cohort's first launches), is drawn once
with marks for the learner's own strings (:mod:`koula_ui.stencil`); :func:`render_activity_page`
keeps the adapter's whole page around it that way, in UTF-8, as the LTI tool answers it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from koula import (
    CarriedExperiment,
    Part,
    SessionTemplate,
    what_was_committed,
)
from koula.messages import Gettext, gettext_for
from koula_ui.carried import carried_views
from koula_ui.environment import environment_for
from koula_ui.field_html import fields_html, said
from koula_ui.next_step import (
    DONE,
    current_part,
    done_view,
    experiment_field,
    final_after,
    fold_word,
    step_of,
    steps_of,
)
from koula_ui.page_parts import agenda_html, community_html, host_html
from koula_ui.same import Same
from koula_ui.stencil import Stencils
from koula_ui.strings import (
    activity_words,
    percent,
    script_strings,
    submit_labels,
    whole_percent,
)

__all__ = ["Around", "render_activity", "render_activity_page"]

SAFE_UID = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True)
class FormView:
    """One part's form: its heading, intro, fields and where the learner stands."""

    part: str
    id: str
    heading: str
    intro: str
    fields: Markup  # the questions' HTML (koula_ui.field_html)
    state: dict[str, Any]
    status: Markup  # the line saying where the part stands: not started, draft, submitted on...
    pending: bool
    locked: bool
    due_on: str | None
    button: str
    step: str = "next"  # "done" (submitted or committed), "final" (done, can no longer
    # change: drawn read-only), "current" (the next step), "next"
    final_after: str = ""  # the part whose submit makes this one final (for koula.js)
    open: bool = False  # drawn unfolded (the current step; every part in a preview)
    fold_word: str = ""  # what the heading's button says it does: Edit, Show or Hide
    what: str = ""  # the return's reminder of what the learner committed to try
    what_key: str = ""  # the commitment's answer that says it (for koula.js)


def render_activity(
    *,
    template: SessionTemplate,
    state: dict[str, Any],
    language: str,
    context: dict[str, Any],
    uid: str,
    preview: bool = False,
    context_id: str | None = None,
    auto_mount: bool = False,
    carried: Sequence[CarriedExperiment] = (),
    carried_forms: bool = False,
    calendar_url: str | None = None,
    data_url: str | None = None,
    privacy_url: str | None = None,
    erased_on: Mapping[str, Any] | None = None,
) -> str:
    """Return the HTML fragment of the learner activity for one learner.

    ``state`` is the learner state JSON of the contract; ``context`` is merged into the
    script context (for example ``api`` and ``token`` in the LTI tool); ``uid`` makes
    every id unique on a page holding several activities. ``preview`` draws disabled
    forms for staff; ``context_id`` gives the context script an id (``koula-context``
    on the LTI page); ``auto_mount`` marks the root for ``koula.js`` to start by itself.
    ``carried`` (:func:`koula.carried_over`) lists first the learner's open experiments from
    earlier sessions (:mod:`koula_ui.carried`), each with its session's return form when
    ``carried_forms`` (an adapter that can write the earlier session's state: LTI; the
    script sends it with ``"session"``), else a link to that session; ``calendar_url`` adds
    "Add to my calendar" to the commitment, shown once committed; ``data_url`` ("Download
    my answers") and ``privacy_url`` (the privacy notice) add the learner's data links, and
    ``erased_on`` (``{"date": shown date, "days": n}``) the line saying the retention period
    erased the answers.
    """
    arguments = {name: value for name, value in locals().items() if name in PARAMETERS}
    stencil = _stencil(arguments, None)
    if stencil is None:  # drawn each time
        return _draw_activity(**arguments)
    return STENCILS.draw(*stencil)


@dataclass(frozen=True)
class Around:
    """A page drawn around the activity's fragment (:func:`render_activity_page`): ``key``
    stands for all it holds but the fragment, ``draw(fragment)`` draws it."""

    key: Hashable
    draw: Callable[[Markup], str]


def render_activity_page(around: Around, **arguments: Any) -> bytes:
    """The whole page ``around`` :func:`render_activity`'s fragment (drawn from the same
    keywords), encoded in UTF-8. For learners in the same place the page is drawn and encoded
    once: the fragment's stencil holds the page around it."""
    unknown = arguments.keys() - PARAMETERS
    missing = PARAMETERS - _DEFAULTS.keys() - arguments.keys()
    if unknown or missing:
        raise TypeError(
            f"render_activity_page(): unexpected keywords {sorted(unknown)}, "
            f"missing keywords {sorted(missing)}"
        )
    arguments = {**_DEFAULTS, **arguments}
    stencil = _stencil(arguments, around)
    if stencil is None:  # drawn each time
        return around.draw(Markup(_draw_activity(**arguments))).encode()
    return STENCILS.draw_encoded(*stencil)


_Drawing = Callable[[Sequence[str | None]], str]


def _stencil(
    arguments: dict[str, Any], around: Around | None
) -> tuple[Hashable, Sequence[str | None], _Drawing] | None:
    """What :class:`Stencils` keeps the fragment drawn from ``arguments`` (within the page
    ``around`` it, if any) by: its key, the learner's own strings, how to draw it with marks
    for them; None when it is drawn each time (staff previews, earlier sessions'
    experiments, a state that is not JSON)."""
    context: dict[str, Any] = arguments["context"]
    calendar_url, data_url = arguments["calendar_url"], arguments["data_url"]
    strings = (context.get("token"), context.get("calendar"), calendar_url, data_url)
    if arguments["preview"] or arguments["carried"]:
        return None
    if not all(text is None or isinstance(text, str) for text in strings):
        return None
    own_removed = {k: v for k, v in context.items() if k not in OWN}
    try:
        shared = json.dumps(
            [arguments["state"], own_removed, arguments["privacy_url"], arguments["erased_on"]],
            sort_keys=True,
        )
    except (TypeError, ValueError):
        return None
    key = (
        Same(arguments["template"]),
        *(arguments[name] for name in ("language", "uid", "context_id", "auto_mount")),
        arguments["carried_forms"],
        shared,
        None if around is None else around.key,
    )

    def draw(own: Sequence[str | None]) -> str:
        token, calendar, calendar_link, data_link = own
        marked = dict(context)
        for name, value in (("token", token), ("calendar", calendar)):
            if name in context:
                marked[name] = value
        fragment = _draw_activity(
            **{**arguments, "context": marked, "calendar_url": calendar_link, "data_url": data_link}
        )
        return fragment if around is None else around.draw(Markup(fragment))

    return key, strings, draw


# The script context's strings of the learner's own (the page's token, their calendar link).
OWN = frozenset({"token", "calendar"})
STENCILS = Stencils(64)


def _draw_activity(
    *,
    template: SessionTemplate,
    state: dict[str, Any],
    language: str,
    context: dict[str, Any],
    uid: str,
    preview: bool,
    context_id: str | None,
    auto_mount: bool,
    carried: Sequence[CarriedExperiment],
    carried_forms: bool,
    calendar_url: str | None,
    data_url: str | None,
    privacy_url: str | None,
    erased_on: Mapping[str, Any] | None,
) -> str:
    """:func:`render_activity`, drawn."""
    _ = gettext_for(language)
    prefix = _id_prefix(uid)
    current = current_part(template, state)
    steps = steps_of(template, state, current)
    forms = [
        _form(template, part, state, prefix, language, _, steps[part], preview)
        for part in template.parts()
    ]
    progress = state.get("progress") or {}
    activity = str(progress.get("activity") or "Initialized")
    card_done = (state.get("deliverable") or {}).get("status") == "submitted"
    agenda = agenda_html(
        template, language, _, prefix=prefix, is_open=preview or not card_done, preview=preview
    )
    community = host = None
    if not preview:
        shared = bool((state.get("community") or {}).get("shared"))
        community = community_html(language, _, prefix=prefix, shared=shared, card_done=card_done)
    if not preview and any(role.rotates for role in template.roles):
        next_host = str(context.get("next_host") or "")
        volunteered = bool((state.get("host") or {}).get("volunteered"))
        host = host_html(language, _, prefix=prefix, next_host=next_host, volunteered=volunteered)
    return (
        environment_for(language)
        .get_template("activity.html")
        .render(
            title=template.title.get(language),
            lang=language,
            uid=uid,
            prefix=prefix,
            preview=preview,
            auto_mount=auto_mount and not preview,
            context_id=context_id,
            script=_script_json({**context, "state": state, "lang": language}, _),
            # Once the return is in, no line asks for it any more.
            returned=(state.get("return") or {}).get("status") == "submitted",
            forms=forms,
            group=template.deliverable.group,
            activity=activity,
            activity_word=activity_words(_).get(activity, activity),
            completion=percent(progress.get("completion"), _),
            completion_value=whole_percent(progress.get("completion")),
            score=percent(progress.get("score"), _),
            done=done_view(template, state, language, steps),
            agenda=agenda,
            community=community,
            host=host,
            carried=carried_views(carried, language),
            carried_forms=_carried_forms(carried, prefix, language, _)
            if carried_forms and not preview
            else (),
            calendar_url=calendar_url,
            data_url=data_url,
            privacy_url=privacy_url,
            erased_on=erased_on,
        )
    )


# What render_activity passes on: _draw_activity's parameters, its own; their defaults.
PARAMETERS = frozenset(inspect.signature(_draw_activity).parameters)
_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(render_activity).parameters.items()
    if parameter.default is not inspect.Parameter.empty
}


def _script_json(script: dict[str, Any], _: Gettext) -> Markup:
    """Return ``script`` (its keys text) and the translated strings (``i18n``) as Jinja's
    ``tojson`` writes them: keys sorted, ``<>&'`` as unicode escapes. The strings, most of
    the text, are encoded once per catalog."""
    encoded = {key: json.dumps(value, sort_keys=True) for key, value in script.items()}
    encoded["i18n"] = _i18n_json(_)
    text = "{" + ", ".join(f"{json.dumps(key)}: {encoded[key]}" for key in sorted(encoded)) + "}"
    return Markup(
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )


@lru_cache(maxsize=16)
def _i18n_json(_: Gettext) -> str:
    return json.dumps(script_strings(_), sort_keys=True)


def _form(
    template: SessionTemplate,
    part: Part,
    state: dict[str, Any],
    prefix: str,
    language: str,
    _: Gettext,
    step: str,
    preview: bool = False,
) -> FormView:
    when = environment_for(language).filters["time"]  # the page's <time> tag
    returned = (state.get(Part.RETURN.value) or {}).get("status") == "submitted"
    data = state.get(part.value) or {}
    commitment = state.get(Part.COMMITMENT.value) or {}
    done = data.get("status") in DONE
    draft = data.get("draft")
    values = draft if draft is not None else data.get("values") or {}
    form_id = f"{prefix}-{part.value}"
    unfolded = preview or step == "current"
    returning = part is Part.RETURN
    return FormView(
        part=part.value,
        id=form_id,
        heading=_heading(template, part, language, _),
        intro=_intro(template, part, language),
        fields=fields_html(template.fields_of(part), values, form_id, language, _),
        state=data,
        status=_status(data, returned, _, when),
        pending=done and draft is not None,
        locked=returning and commitment.get("status") != "committed",
        due_on=commitment.get("due_on") if returning else None,
        button=submit_labels(_)["changes" if done else part.value],
        step=step,
        final_after=final_after(part),
        open=unfolded,
        fold_word=fold_word(step, unfolded, _),
        what=what_was_committed(template, commitment.get("values") or {}) if returning else "",
        what_key=experiment_field(template) if returning else "",
    )


def _status(
    data: dict[str, Any], returned: bool, _: Gettext, when: Callable[[Any], Markup]
) -> Markup:
    """Return the line saying where a part stands (koula.js writes it from the same strings)."""
    status = data.get("status")
    if status == "committed" and returned:
        return said(_("Committed on {date}.")).format(date=when(data.get("committed_at")))
    if status == "committed":
        return said(_("Committed on {date}. Report back by {due}.")).format(
            date=when(data.get("committed_at")), due=when(data.get("due_on"))
        )
    if status == "submitted":
        return said(_("Submitted on {date}.")).format(date=when(data.get("submitted_at")))
    if status == "draft":
        return said(_("Draft saved, not yet submitted."))
    return said(_("Not started yet."))


def _heading(template: SessionTemplate, part: Part, language: str, _: Gettext) -> str:
    if part is Part.DELIVERABLE:
        return template.deliverable.title.get(language)
    return _("Your experiment") if part is Part.COMMITMENT else _("Report back")


def _intro(template: SessionTemplate, part: Part, language: str) -> str:
    experiment = template.experiment
    if part is Part.DELIVERABLE:
        return template.deliverable.intro.get(language)
    if experiment is None:
        return ""
    return (experiment.intro if part is Part.COMMITMENT else experiment.return_intro).get(language)


def _carried_forms(
    carried: Sequence[CarriedExperiment], prefix: str, language: str, _: Gettext
) -> tuple[FormView, ...]:
    """Return the return form of each carried experiment's session (its fields, its draft)."""
    forms = []
    for number, found in enumerate(carried):
        state = found.to_data(language)["state"]
        step = step_of(Part.RETURN, None, state)
        template = found.session.template
        forms.append(_form(template, Part.RETURN, state, f"{prefix}-c{number}", language, _, step))
    return tuple(forms)


def _id_prefix(uid: str) -> str:
    """Return an id prefix for ``uid``, safe in ids and CSS selectors and unique per ``uid``.

    The prefix holds no ``-`` after ``koula-``, and every id built on it continues with
    ``-``, so ids of two activities on one page can never meet.
    """
    if SAFE_UID.match(uid):
        return f"koula-{uid}"
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", uid)[:40]
    digest = hashlib.sha1(uid.encode("utf-8")).hexdigest()[:12]
    return f"koula-{slug}_{digest}"
