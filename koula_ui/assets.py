"""Where the shared JavaScript and stylesheet are, installed or in a source checkout."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["asset_text", "static_dir"]

ASSETS = ("koula.js", "koula.css", "koula-staff.js", "koula-staff.css")


def static_dir() -> Traversable:
    """Return the folder holding ``koula.js`` and ``koula.css``."""
    try:
        return resources.files("koula_ui.static")
    except ModuleNotFoundError:  # a source checkout: static/ sits beside the package
        return Path(__file__).resolve().parent.parent / "static"


@lru_cache(maxsize=len(ASSETS))
def asset_text(name: str) -> str:
    """Return the text of one shipped asset; raise ``ValueError`` for any other name."""
    if name not in ASSETS:
        raise ValueError(f"{name!r} is not a Koula asset; expected one of {ASSETS}")
    return (static_dir() / name).read_text(encoding="utf-8")
