"""A small cursor over untrusted template data that records every problem with its location.

:mod:`koula.template_format` walks a template with it; instead of stopping at
the first fault it notes each one (``phases[2].minutes: ...``) and returns a
placeholder, so an admin sees every problem of a file in one run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from koula.messages import Gettext
from koula.text import LocalizedText, normalize_language

__all__ = ["INVALID_KEY", "KEY_PATTERN", "Reader"]

T = TypeVar("T")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
INVALID_KEY = "?"
"""Stands for a key that was reported invalid; never a valid key, so never a duplicate."""
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


class Reader:
    """Reads one mapping at ``path``; problems go to the shared ``problems`` list."""

    def __init__(
        self, data: object, path: str, problems: list[tuple[str, str]], _: Gettext, lang: str
    ) -> None:
        self.path = path
        self.problems = problems
        self._ = _
        self.lang = lang
        self.data: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        if not isinstance(data, Mapping):
            self.fail(path, _("must be a mapping of names to values"))

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, where: str, message: str) -> None:
        self.problems.append((where, message))

    def unknown_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(self.at(str(key)), self._("unknown setting; check its spelling"))

    def child(self, key: str, *, required: bool = True) -> Reader | None:
        if key not in self.data:
            if required:
                self.fail(self.at(key), self._("is required"))
            return None
        return Reader(self.data[key], self.at(key), self.problems, self._, self.lang)

    def items(self, key: str, *, required: bool = True) -> list[Reader]:
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(self.at(key), self._("is required and must list at least one item"))
            return []
        if not isinstance(value, list) or not value:
            self.fail(self.at(key), self._("must be a list with at least one item"))
            return []
        return [
            Reader(item, f"{self.at(key)}[{index}]", self.problems, self._, self.lang)
            for index, item in enumerate(value)
        ]

    def key(self, name: str = "key") -> str:
        value = self.data.get(name)
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            self.fail(
                self.at(name),
                self._(
                    "must be a short identifier: lower-case letters, digits and _,"
                    " starting with a letter"
                ),
            )
            return INVALID_KEY
        return value

    def text(self, name: str, *, required: bool = False) -> LocalizedText:
        value = self.data.get(name)
        where = self.at(name)
        if value is None:
            if required:
                self.fail(where, self._("is required"))
            return LocalizedText(fallback_language=self.lang)
        if isinstance(value, str):
            if required and not value.strip():
                self.fail(where, self._("is required and cannot be blank"))
            return LocalizedText({"*": value}, self.lang)
        if isinstance(value, Mapping) and value:
            texts: dict[str, str] = {}
            for code, text in value.items():
                code_ok = isinstance(code, str) and LANGUAGE_PATTERN.match(normalize_language(code))
                if not code_ok or not isinstance(text, str):
                    self.fail(f"{where}.{code}", self._("must be text under a language code"))
                    continue
                texts[normalize_language(code)] = text
            return LocalizedText(texts, self.lang)
        self.fail(where, self._("must be text, or a mapping of language codes to text"))
        return LocalizedText(fallback_language=self.lang)

    def number(self, name: str, check: Callable[[Any], bool], message: str, default: T) -> Any | T:
        if name not in self.data:
            return default
        value = self.data[name]
        if isinstance(value, bool) or not check(value):
            self.fail(self.at(name), message)
            return default
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            self.fail(self.at(name), self._("must be true or false"))
            return default
        return value

    def one_of(self, name: str, allowed: tuple[str, ...], default: str | None) -> str:
        value = self.data.get(name, default)
        if value not in allowed:
            self.fail(
                self.at(name),
                self._("must be one of: {allowed}").format(allowed=", ".join(allowed)),
            )
            return allowed[0]
        return str(value)
