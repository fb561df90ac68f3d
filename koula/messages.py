"""Messages in the reader's language, through the gettext catalogs shipped in ``koula/locale``.

Every function that speaks to a person takes a ``_`` callable (a gettext
function) made here for that person's language, so one request can answer a
French learner while the next answers an English one.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from koula.text import SUPPORTED_LANGUAGES, normalize_language

__all__ = ["LOCALE_DIR", "N_", "Gettext", "gettext_for", "pick_language", "translate"]

Gettext = Callable[[str], str]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "koula"


def pick_language(*candidates: str | None) -> str:
    """Return the first supported language among ``candidates`` (``fr-CA`` counts as ``fr``)."""
    for candidate in candidates:
        if not candidate:
            continue
        base = normalize_language(candidate).split("-")[0]
        if base in SUPPORTED_LANGUAGES:
            return base
    return SUPPORTED_LANGUAGES[0]


@lru_cache(maxsize=16)
def _translations(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True)


def gettext_for(language: str | None) -> Gettext:
    """Return the gettext function for ``language`` (English, the source language, by default)."""
    return _translations(pick_language(language)).gettext


def translate(language: str | None, message: str) -> str:
    """Return ``message`` in ``language`` (for one message; extracted like ``_``)."""
    return gettext_for(language)(message)


def N_(text: str) -> str:
    """Mark ``text`` for translation where it is defined; it is translated where it is shown."""
    return text
