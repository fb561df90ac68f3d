"""Checks that need the whole template: unique keys, complete translations, usable scoring.

Run by :func:`koula.template_format.parse_template` once the structure itself
is sound; each problem comes back located like the structural ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from koula.messages import Gettext
from koula.template import Field, FieldType, SessionTemplate
from koula.template_reader import INVALID_KEY
from koula.text import LocalizedText

__all__ = ["check_template"]


def check_template(template: SessionTemplate, _: Gettext) -> list[tuple[str, str]]:
    """Return ``(location, message)`` for every cross-cutting problem of ``template``."""
    problems: list[tuple[str, str]] = []
    problems += _duplicates("phases", [p.key for p in template.phases], _)
    problems += _duplicates("roles", [r.key for r in template.roles], _)
    problems += _fields("deliverable.fields", template.deliverable.fields, _)
    if template.experiment is not None:
        problems += _fields("experiment.commitment", template.experiment.commitment_fields, _)
        problems += _fields("experiment.return", template.experiment.return_fields, _)
    for where, text in _texts(template, ""):
        if "*" in text.by_language:  # one text for every language (blank ones reported earlier)
            continue
        written = {code for code, words in text.by_language.items() if words.strip()}
        missing = [lang for lang in template.languages if lang not in written]
        if missing:
            problems.append(
                (where, _("has no text in {languages}").format(languages=", ".join(missing)))
            )
        undeclared = sorted(text.languages() - set(template.languages))
        if undeclared:
            problems.append(
                (
                    where,
                    _(
                        "is written in {languages}, which the template's languages do not list"
                    ).format(languages=", ".join(undeclared)),
                )
            )
    if sum(template.scoring.weight(part) for part in template.parts()) <= 0:
        problems.append(("scoring", _("at least one part must have a weight above 0")))
    return problems


def _duplicates(where: str, keys: Sequence[str], _: Gettext) -> list[tuple[str, str]]:
    seen: set[str] = set()
    problems = []
    for index, key in enumerate(keys):
        if key in seen and key != INVALID_KEY:
            problems.append(
                (
                    f"{where}[{index}].key",
                    _("repeats the key {key!r}; keys must be unique").format(key=key),
                )
            )
        seen.add(key)
    return problems


# What the impact report expects of the fields that feed an indicator.
INDICATOR_TYPES = {
    "confidence": FieldType.RATING,
    "relevance": FieldType.RATING,
    "by_date": FieldType.DATE,
    "evidence": FieldType.URL,
    "blockers": FieldType.LIST,
    "applied": FieldType.CHOICE,
    "can_do_now": FieldType.CHOICE,
    "value_cycle": FieldType.CHOICE,
}
INDICATOR_CHOICES = {
    "applied": {"yes", "partly", "no"},
    "can_do_now": {"yes", "partly", "no"},
    "value_cycle": {"immediate", "potential", "applied", "realised", "reframing"},
}


def _fields(where: str, fields: Sequence[Field], _: Gettext) -> list[tuple[str, str]]:
    problems = _duplicates(where, [f.key for f in fields], _)
    for index, f in enumerate(fields):
        problems += _duplicates(f"{where}[{index}].choices", f.choice_values(), _)
        expected = INDICATOR_TYPES.get(f.indicator or "")
        if expected is not None and f.type is not expected:
            problems.append(
                (
                    f"{where}[{index}].type",
                    _("must be {type} for the indicator {indicator}").format(
                        type=expected.value, indicator=f.indicator
                    ),
                )
            )
        allowed = INDICATOR_CHOICES.get(f.indicator or "", set())
        unknown = sorted(set(f.choice_values()) - allowed) if allowed else []
        if unknown:
            problems.append(
                (
                    f"{where}[{index}].choices",
                    _("the indicator {indicator} only knows the values {allowed}").format(
                        indicator=f.indicator, allowed=", ".join(sorted(allowed))
                    ),
                )
            )
    return problems


def _texts(node: object, where: str) -> Iterator[tuple[str, LocalizedText]]:
    """Yield every localized text below ``node`` that has any language, with its location."""
    if isinstance(node, LocalizedText):
        if node.by_language:
            yield where, node
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            name = {"commitment_fields": "commitment", "return_fields": "return"}.get(
                f.name, f.name
            )
            yield from _texts(getattr(node, f.name), f"{where}.{name}" if where else name)
    elif isinstance(node, tuple):
        for index, item in enumerate(node):
            yield from _texts(item, f"{where}[{index}]")
