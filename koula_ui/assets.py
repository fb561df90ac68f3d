"""The shared JavaScript, stylesheets and icon: ``koula_ui/static/``, shipped inside the package.

Each asset also has a hashed name, ``koula.<hash>.js``, whose ``<hash>`` is the start of
the SHA-256 of its content: a page that links the hashed name can let browsers keep the
file for a year, since a changed file gets another name (:func:`hashed_name`,
:func:`asset_for`).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

__all__ = ["asset_for", "asset_hash", "asset_text", "hashed_name", "static_dir"]

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


HASHED = re.compile(r"^(?P<stem>[a-z-]+)\.(?P<hash>[0-9a-f]{12})\.(?P<ext>[a-z]+)$")


@lru_cache(maxsize=len(ASSETS))
def asset_hash(name: str) -> str:
    """Return the 12 hex digits that name this version of the asset ``name`` (ValueError
    for any other name)."""
    return hashlib.sha256(asset_text(name).encode("utf-8")).hexdigest()[:12]


def hashed_name(name: str) -> str:
    """Return the asset's versioned file name: ``koula.js`` gives ``koula.<hash>.js``."""
    stem, _, extension = name.rpartition(".")
    return f"{stem}.{asset_hash(name)}.{extension}"


def asset_for(requested: str) -> tuple[str, bool] | None:
    """Return ``(asset name, current)`` for a requested file name, plain or hashed;
    ``current`` is True for the hashed name of the asset as it is now. None when
    ``requested`` names no asset."""
    if requested in ASSETS:
        return requested, False
    found = HASHED.match(requested)
    name = f"{found['stem']}.{found['ext']}" if found else ""
    if found is None or name not in ASSETS:
        return None
    return name, found["hash"] == asset_hash(name)
