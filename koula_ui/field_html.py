"""The questions of a learner's form as HTML: label, help, control and error, linked for
assistive technology. The wrapper, the data attributes, ``name=`` and ``.koula-error`` are a
contract with ``koula_ui/static/koula.js`` and the end-to-end tests.

A page draws some twenty questions, and all of a question but the learner's answer and the
form's id depends only on the template's field and the page's language. :func:`fields_html`
builds that part once per form (:func:`_shapes`, cached per the template's tuple of fields and
the language, every text already escaped) and puts the ids and the learner's answers in at
each render.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape

from koula import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, Field, FieldType
from koula.messages import Gettext
from koula_ui.same import Same
from koula_ui.strings import date_hint, date_pattern, format_date, numeric_date

__all__ = ["as_text", "fields_html", "said"]

FORM_ID = "<@form>"
"""Where the form's id goes in a shape (a field's id is the form's, ``-`` and its key). Every
text put in, the template's and the learner's, is escaped, so ``<`` only starts markup, and no
markup here starts ``<@``: the id replaces exactly these."""

TEXT_AREAS = (FieldType.LONG_TEXT, FieldType.LIST)


@dataclass(frozen=True)
class _Shape:
    """A field's HTML around the learner's answer: ``around[0]``, the answer's first piece,
    ``around[1]``... (one piece fewer than ``around``), with :data:`FORM_ID` for the form's id."""

    around: tuple[str, ...]
    options: tuple[str, ...] = ()  # the radio buttons' values, each answered " checked" or ""


def fields_html(
    fields: tuple[Field, ...], values: Mapping[str, Any], form_id: str, language: str, _: Gettext
) -> Markup:
    """Return the HTML of a form's questions, each followed by a newline, holding the learner's
    answers (``values``: their answers or draft, by key)."""
    pieces: list[str] = []
    for field, shape in zip(fields, _shapes(Same(fields), language, _), strict=True):
        value = values.get(field.key)
        text = as_text(value)
        answer: tuple[str, ...]
        if shape.options:
            answer = tuple(" checked" if text == option else "" for option in shape.options)
        elif field.type is FieldType.DATE:
            answer = (escape(numeric_date(text)), escape(format_date(value, _)))
        else:
            answer = (escape(text),)
        pieces.append(shape.around[0])
        for piece, after in zip(answer, shape.around[1:], strict=True):
            pieces += (piece, after)
        pieces.append("\n")
    return Markup("".join(pieces).replace(FORM_ID, escape(form_id)))


def as_text(value: Any) -> str:
    """Return an answer as its field shows it (a list one item per line; None as nothing)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


@lru_cache(maxsize=256)
def _shapes(fields: Same[tuple[Field, ...]], language: str, _: Gettext) -> tuple[_Shape, ...]:
    return tuple(_shape(f, language, _) for f in fields.item)


def _shape(f: Field, language: str, _: Gettext) -> _Shape:
    frame = _frame(f, language, _)
    options = _options(f, language)
    if options:
        return _radios(f, frame, options, _)
    return _control(f, frame, language, _)


@dataclass(frozen=True)
class _Frame:
    """What every kind of question draws around its control, escaped."""

    key: str
    id: str  # the field's id: the form's (FORM_ID), "-" and the key
    label: str  # the label's words, and "(required)"
    help: str  # the help paragraph and its newline ("" when there is nothing to say)
    described: str  # the ids aria-describedby names
    required: str  # the aria-required attribute, or ""
    start: str
    end: str


def _frame(f: Field, language: str, _: Gettext) -> _Frame:
    key = str(escape(f.key))
    field_id = f"{FORM_ID}-{key}"
    label = str(escape(f.label.get(language)))
    if f.required:
        label += f' <span class="koula-required">({said(_("required"))})</span>'
    help_text = f.help.get(language)
    hints = _hints(f, help_text, _)
    help_html = described = ""
    if help_text or hints:
        described = f"{field_id}-help "
        help_html = f'<p class="koula-help" id="{field_id}-help">'
        if help_text:
            help_html += f'<span class="koula-help-text">{escape(help_text)}</span>'
        for number, hint in enumerate(hints):
            space = " " if help_text or number else ""
            help_html += f'{space}<span class="koula-hint">{escape(hint)}</span>'
        help_html += "</p>\n"
    if f.type is FieldType.DATE:
        described += f"{field_id}-date "
    return _Frame(
        key=key,
        id=field_id,
        label=label,
        help=help_html,
        described=f"{described}{field_id}-error",
        required=' aria-required="true"' if f.required else "",
        start=f'<div class="koula-field" data-field="{key}" data-type="{f.type.value}">\n',
        end=f'<p class="koula-error" id="{field_id}-error" hidden></p>\n</div>\n',
    )


def _radios(f: Field, frame: _Frame, options: tuple[tuple[str, str], ...], _: Gettext) -> _Shape:
    """A choice or a rating: radio buttons, the learner's marked " checked" after its value."""
    scale = " koula-scale" if f.type is FieldType.RATING else ""
    around = [
        f'{frame.start}<fieldset class="koula-choices{scale}" id="{frame.id}" role="radiogroup"'
        f' aria-describedby="{frame.described}"{frame.required}>\n'
        f'<legend class="koula-label">{frame.label}</legend>\n{frame.help}\n'
        '<div class="koula-options">\n'
    ]
    for number, (value, text) in enumerate(options):
        around[-1] += (
            f'<label class="koula-option"><input type="radio" name="{frame.key}"'
            f' value="{escape(value)}"'
        )
        if f.type is FieldType.RATING:
            end_word = ""
            if number == 0:
                end_word = f' <span class="koula-scale-end">{said(_("low"))}</span>'
            elif number == len(options) - 1:
                end_word = f' <span class="koula-scale-end">{said(_("high"))}</span>'
            words = f'<span class="koula-scale-number">{escape(value)}</span>{end_word}'
        else:
            words = f"<span>{escape(text)}</span>\n"
        around.append(f">\n{words}</label>\n")
    around[-1] += f"</div>\n</fieldset>\n{frame.end}"
    return _Shape(tuple(around), tuple(value for value, _text in options))


def _control(f: Field, frame: _Frame, language: str, _: Gettext) -> _Shape:
    """Any other question: a text area, or an input holding the answer in its value."""
    placeholder = f.placeholder.get(language)
    if f.type is FieldType.DATE:
        # A text field in the page's pattern: a browser's date field writes its own locale's.
        placeholder = placeholder or date_pattern(_)
    common = f' id="{frame.id}" name="{frame.key}" aria-describedby="{frame.described}"'
    common += frame.required
    if placeholder:
        common += f' placeholder="{escape(placeholder)}"'
    head = f'{frame.start}<label class="koula-label" for="{frame.id}">{frame.label}</label>\n'
    head += f"{frame.help}\n"
    if f.type in TEXT_AREAS:
        rows = 4 if f.type is FieldType.LIST else 6
        # The newline after <textarea> is dropped by HTML parsers: a leading newline survives.
        return _Shape((f'{head}<textarea{common} rows="{rows}">\n', f"</textarea>\n{frame.end}"))
    # A date is typed as text in the page's pattern (dd/mm/yyyy, jj/mm/aaaa): a browser's date
    # field writes its own locale's. koula.js sends it as YYYY-MM-DD and keeps the date in
    # words after it (.koula-date-text) up to date.
    kind = "url" if f.type is FieldType.URL else "text"
    head += f'<input{common} type="{kind}" value="'
    if f.type is FieldType.URL:
        return _Shape((head, f'" inputmode="url" autocomplete="url">\n{frame.end}'))
    if f.type is FieldType.DATE:
        words = f'<span class="koula-date-text" id="{frame.id}-date" data-role="date-text">'
        after = f'" inputmode="numeric" autocomplete="off">\n{words}'
        return _Shape((head, after, f"</span>\n{frame.end}"))
    return _Shape((head, f'">\n{frame.end}'))


def said(translated: str) -> Markup:
    """Return a message as a template's ``{{ _("...") }}`` writes it: the catalog's text is
    markup (the i18n extension's gettext, :mod:`koula_ui.environment`)."""
    return Markup(translated) % {}


def _hints(f: Field, help_text: str, _: Gettext) -> tuple[str, ...]:
    """Return the page's own hints under a field: its limits, and a date's pattern."""
    hints: list[str] = []
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
    if f.type is FieldType.DATE:
        hints.append(date_hint(_))
    return tuple(hints)


def _says_one_per_line(help_text: str, _: Gettext) -> bool:
    """Whether a template's own help already tells the learner to write one item per line.

    The library's list fields mostly do ("One step per line", "Un élément par ligne"), and
    the page's own hint would then say it a second time.
    """
    # Translators: the words of "One item per line." that any such sentence holds, lowercase.
    return _("per line") in help_text.casefold()


def _options(f: Field, language: str) -> tuple[tuple[str, str], ...]:
    """Return a choice's or a rating's radio buttons: (value, words) each."""
    if f.type is FieldType.CHOICE:
        return tuple((c.value, c.label.get(language)) for c in f.choices)
    if f.type is FieldType.RATING:
        return tuple((str(n), "") for n in range(1, 6))
    return ()
