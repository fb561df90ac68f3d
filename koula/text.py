"""Texts given in several languages, and the rule that picks one for a reader.

A template author writes either one string (used for every language) or a
mapping from language code to string. The reader's language is tried first,
then its base language (``fr`` for ``fr-CA``), then the template's default
language, then any language at all, so a reader always gets some text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["SUPPORTED_LANGUAGES", "LocalizedText", "normalize_language"]

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr")


def normalize_language(code: str | None, default: str = "en") -> str:
    """Return a lower-case language code with ``-`` separators (``fr_CA`` -> ``fr-ca``)."""
    if not code:
        return default
    return code.strip().replace("_", "-").lower() or default


@dataclass(frozen=True)
class LocalizedText:
    """One text in several languages; ``by_language`` maps a language code to the text."""

    by_language: Mapping[str, str] = field(default_factory=dict)
    fallback_language: str = "en"

    @classmethod
    def plain(cls, text: str) -> LocalizedText:
        """Return a text that reads the same in every language."""
        return cls({"*": text})

    def get(self, language: str | None) -> str:
        """Return the text for ``language``, falling back as the module docstring says."""
        wanted = normalize_language(language, self.fallback_language)
        for code in (wanted, wanted.split("-")[0], self.fallback_language, "*"):
            if code in self.by_language:
                return self.by_language[code]
        return next(iter(self.by_language.values()), "")

    def languages(self) -> frozenset[str]:
        """Return the languages this text is written in (``*`` means any)."""
        return frozenset(self.by_language)

    def to_data(self) -> str | dict[str, str]:
        """Return the file-format form: a plain string or a language mapping."""
        if set(self.by_language) == {"*"}:
            return self.by_language["*"]
        return dict(self.by_language)

    def __bool__(self) -> bool:
        return any(self.by_language.values())
