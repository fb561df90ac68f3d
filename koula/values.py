"""Checking a learner's answers against form fields.

:func:`check_values` returns one message per faulty field, in the learner's
language, saying what to do; :func:`clean_values` returns the answers in their
stored form (ratings as integers, empty answers dropped). Drafts are checked
for types and lengths only; submissions are also checked for required fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from koula.messages import Gettext
from koula.template import Field, FieldType

__all__ = ["DEFAULT_MAX_LENGTH", "Values", "check_values", "clean_values", "is_empty"]

Values = dict[str, Any]

DEFAULT_MAX_LENGTH: Mapping[FieldType, int] = {
    FieldType.SHORT_TEXT: 200,
    FieldType.LONG_TEXT: 5000,
    FieldType.LIST: 300,
    FieldType.URL: 2000,
}
DEFAULT_MAX_ITEMS = 20


def is_empty(value: object) -> bool:
    """Return True for an unanswered question: None, blank text or a list of blanks."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list):
        return all(is_empty(item) for item in value)
    return False


def check_values(
    fields: Sequence[Field], values: object, *, require: bool, _: Gettext
) -> dict[str, str]:
    """Return ``{field key: message}`` for every faulty answer (empty when all are fine)."""
    if not isinstance(values, Mapping):
        return {"_": _("The answers must be sent as a JSON object.")}
    by_key = {f.key: f for f in fields}
    errors: dict[str, str] = {}
    for key in values:
        if key not in by_key:
            errors[str(key)] = _("This question is not part of this form. Reload the page.")
    for f in fields:
        value = values.get(f.key)
        if is_empty(value):
            if require and f.required:
                errors[f.key] = _("This answer is required. Please fill it in.")
            continue
        message = _check_one(f, value, _)
        if message:
            errors[f.key] = message
    return errors


def clean_values(fields: Sequence[Field], values: Mapping[str, Any]) -> Values:
    """Return checked ``values`` in stored form; call only after :func:`check_values`."""
    cleaned: Values = {}
    for f in fields:
        value: Any = values.get(f.key)
        if is_empty(value):
            continue
        if f.type is FieldType.RATING:
            value = int(value)
        elif f.type is FieldType.LIST:
            value = [item for item in value if not is_empty(item)]
        cleaned[f.key] = value
    return cleaned


def _check_one(f: Field, value: object, _: Gettext) -> str | None:
    if f.type is FieldType.LIST:
        return _check_list(f, value, _)
    if f.type is FieldType.RATING:
        return _check_rating(value, _)
    if not isinstance(value, str):
        return _("This answer must be text.")
    if f.type is FieldType.CHOICE:
        if value not in f.choice_values():
            return _("Pick one of the options offered.")
        return None
    if f.type is FieldType.DATE:
        return _check_date(value, _)
    limit = f.max_length or DEFAULT_MAX_LENGTH[f.type]
    if len(value) > limit:
        return _("Shorten this answer to {limit} characters or fewer (it has {count}).").format(
            limit=limit, count=len(value)
        )
    if f.type is FieldType.URL and not _is_web_address(value.strip()):
        return _("Enter a full web address starting with https:// (or http://).")
    return None


def _check_list(f: Field, value: object, _: Gettext) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return _("Enter one item per line.")
    items = [item for item in value if not is_empty(item)]
    most = f.max_items or DEFAULT_MAX_ITEMS
    if len(items) > most:
        return _("Keep to {limit} items or fewer (there are {count}).").format(
            limit=most, count=len(items)
        )
    limit = f.max_length or DEFAULT_MAX_LENGTH[FieldType.LIST]
    if any(len(item) > limit for item in items):
        return _("Shorten each item to {limit} characters or fewer.").format(limit=limit)
    return None


def _check_rating(value: object, _: Gettext) -> str | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return _("Choose a rating from 1 to 5.")
    return None


def _check_date(value: str, _: Gettext) -> str | None:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return _("Enter a date as YYYY-MM-DD.")
    return None


def _is_web_address(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text
