"""The learner activity page, rendered the same for the XBlock and the LTI tool.

:func:`render_activity` turns a session template and one learner's state (the
contract's state JSON) into an HTML fragment: the header with progress, the
agenda, and the practice card, commitment and return forms. The next step comes first
(issue 12): after the header, an earlier session's open experiment, then the three parts
in loop order, only the current one open (:mod:`koula_ui.next_step`); done parts fold to one
line that opens for editing; the agenda follows, open until the card is in. The fragment
carries, in a ``<script type="application/json" class="koula-context">``, the
state and the translated strings that ``koula_ui/static/koula.js`` needs to run the
forms. Field views are prepared here so the Jinja templates stay plain markup.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from koula import (
    DEFAULT_MAX_ITEMS,
    DEFAULT_MAX_LENGTH,
    CarriedExperiment,
    Field,
    FieldType,
    Part,
    SessionTemplate,
    what_was_committed,
)
from koula.messages import Gettext, gettext_for
from koula_ui.carried import carried_views
from koula_ui.environment import environment_for
from koula_ui.next_step import (
    current_part,
    done_view,
    experiment_field,
    final_after,
    fold_word,
    step_of,
)
from koula_ui.strings import (
    activity_words,
    date_hint,
    date_pattern,
    format_date,
    mode_words,
    numeric_date,
    percent,
    script_strings,
    submit_labels,
    whole_percent,
)

__all__ = ["render_activity"]

SAFE_UID = re.compile(r"^[A-Za-z0-9_]{1,64}$")


@dataclass(frozen=True)
class FieldView:
    """One question as the template draws it: texts already in the learner's language."""

    key: str
    type: str
    id: str
    label: str
    required: bool
    help: str
    hints: tuple[str, ...]
    placeholder: str
    value: str
    options: tuple[tuple[str, str], ...]
    date_text: str = ""  # a date field's value as the page's language writes it


@dataclass(frozen=True)
class FormView:
    """One part's form: its heading, intro, fields and where the learner stands."""

    part: str
    id: str
    heading: str
    intro: str
    fields: tuple[FieldView, ...]
    state: dict[str, Any]
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
    _ = gettext_for(language)
    prefix = _id_prefix(uid)
    commitment = state.get("commitment") or {}
    current = current_part(template, state)
    forms = [
        _form(template, part, state, commitment, prefix, language, _, current, preview)
        for part in template.parts()
    ]
    progress = state.get("progress") or {}
    activity = str(progress.get("activity") or "Initialized")
    words = activity_words(_)
    script = {**context, "state": state, "lang": language, "i18n": script_strings(_)}
    return (
        environment_for(language)
        .get_template("activity.html")
        .render(
            template=template,
            tr=lambda text: text.get(language),
            lang=language,
            uid=uid,
            prefix=prefix,
            preview=preview,
            auto_mount=auto_mount and not preview,
            context_id=context_id,
            script=script,
            forms=forms,
            activity=activity,
            activity_word=words.get(activity, activity),
            completion=percent(progress.get("completion"), _),
            completion_value=whole_percent(progress.get("completion")),
            score=percent(progress.get("score"), _),
            modes=mode_words(_),
            rotates=any(role.rotates for role in template.roles),
            volunteered=bool((state.get("host") or {}).get("volunteered")),
            shared=bool((state.get("community") or {}).get("shared")),
            card_done=(state.get("deliverable") or {}).get("status") == "submitted",
            done=done_view(template, state, language),
            agenda_open=preview or (state.get("deliverable") or {}).get("status") != "submitted",
            next_host=str(context.get("next_host") or ""),
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


def _form(
    template: SessionTemplate,
    part: Part,
    state: dict[str, Any],
    commitment: dict[str, Any],
    prefix: str,
    language: str,
    _: Gettext,
    current: Part | None = None,
    preview: bool = False,
) -> FormView:
    data = state.get(part.value) or {}
    done = data.get("status") in ("submitted", "committed")
    draft = data.get("draft")
    values = draft if draft is not None else data.get("values") or {}
    form_id = f"{prefix}-{part.value}"
    experiment = template.experiment
    heading, intro = {
        Part.DELIVERABLE: (template.deliverable.title, template.deliverable.intro),
        Part.COMMITMENT: (None, experiment.intro if experiment else None),
        Part.RETURN: (None, experiment.return_intro if experiment else None),
    }[part]
    default_heading = {Part.COMMITMENT: _("Your experiment"), Part.RETURN: _("Report back")}
    labels = submit_labels(_)
    step = step_of(part, current, state)
    unfolded = preview or step == "current"
    return FormView(
        part=part.value,
        id=form_id,
        heading=(heading.get(language) if heading else "") or default_heading.get(part, ""),
        intro=intro.get(language) if intro else "",
        fields=tuple(
            _field(f, values.get(f.key), f"{form_id}-{f.key}", language, _)
            for f in template.fields_of(part)
        ),
        state=data,
        pending=done and draft is not None,
        locked=part is Part.RETURN and commitment.get("status") != "committed",
        due_on=commitment.get("due_on") if part is Part.RETURN else None,
        button=labels["changes" if done else part.value],
        step=step,
        final_after=final_after(part),
        open=unfolded,
        fold_word=fold_word(step, unfolded, _),
        what=what_was_committed(template, commitment.get("values") or {})
        if part is Part.RETURN
        else "",
        what_key=experiment_field(template) if part is Part.RETURN else "",
    )


def _carried_forms(
    carried: Sequence[CarriedExperiment], prefix: str, language: str, _: Gettext
) -> tuple[FormView, ...]:
    """Return the return form of each carried experiment's session (its fields, its draft)."""
    forms = []
    for number, found in enumerate(carried):
        state = found.to_data(language)["state"]
        commitment = state.get("commitment") or {}
        template = found.session.template
        form_id = f"{prefix}-c{number}"
        forms.append(_form(template, Part.RETURN, state, commitment, form_id, language, _))
    return tuple(forms)


def _field(f: Field, value: Any, field_id: str, language: str, _: Gettext) -> FieldView:
    hints: list[str] = []
    help_text = f.help.get(language)
    if f.type is FieldType.LIST:
        if not _says_one_per_line(help_text, _):
            hints.append(_("One item per line."))
        hints.append(
            _("{items} items at most, {limit} characters each.").format(
                items=f.max_items or DEFAULT_MAX_ITEMS,
                limit=f.max_length or DEFAULT_MAX_LENGTH[FieldType.LIST],
            )
        )
    elif f.max_length or f.type is FieldType.SHORT_TEXT:
        limit = f.max_length or DEFAULT_MAX_LENGTH[f.type]
        hints.append(_("{limit} characters at most.").format(limit=limit))
    placeholder = f.placeholder.get(language)
    if f.type is FieldType.DATE:
        # A text field in the page's pattern: a browser's date field writes its own locale's.
        hints.append(date_hint(_))
        placeholder = placeholder or date_pattern(_)
    options: tuple[tuple[str, str], ...] = ()
    if f.type is FieldType.CHOICE:
        options = tuple((c.value, c.label.get(language)) for c in f.choices)
    elif f.type is FieldType.RATING:
        options = tuple((str(n), "") for n in range(1, 6))
    return FieldView(
        key=f.key,
        type=f.type.value,
        id=field_id,
        label=f.label.get(language),
        required=f.required,
        help=help_text,
        hints=tuple(hints),
        placeholder=placeholder,
        value=numeric_date(_as_text(value)) if f.type is FieldType.DATE else _as_text(value),
        options=options,
        date_text=format_date(value, _) if f.type is FieldType.DATE else "",
    )


def _says_one_per_line(help_text: str, _: Gettext) -> bool:
    """Whether a template's own help already tells the learner to write one item per line.

    The library's list fields mostly do ("One step per line", "Un élément par ligne"), and
    the page's own hint would then say it a second time.
    """
    # Translators: the words of "One item per line." that any such sentence holds, lowercase.
    return _("per line") in help_text.casefold()


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


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
