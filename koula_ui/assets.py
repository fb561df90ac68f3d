"""The shared JavaScript, stylesheets and icon: ``koula_ui/static/``, shipped inside the package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

__all__ = ["asset_text", "static_dir"]

ASSETS = (
    "koula.js",
    "koula.css",
    "koula-staff.js",
    "koula-staff.css",
    "koula-frame.js",
    "koula-icon.svg",
)


def static_dir() -> Traversable:
    """Return the folder holding ``koula.js``, ``koula.css`` and the staff pages' assets."""
    return resources.files("koula_ui") / "static"


@lru_cache(maxsize=len(ASSETS))
def asset_text(name: str) -> str:
    """Return the text of one shipped asset; raise ``ValueError`` for any other name."""
    if name not in ASSETS:
        raise ValueError(f"{name!r} is not a Koula asset; expected one of {ASSETS}")
    return (static_dir() / name).read_text(encoding="utf-8")
