"""The core's public API: what ``koula.__all__`` names exists, is sorted, and is all there is.

As httpx checks its own: the adapters import these names from ``koula`` (import-linter
keeps them from reaching into submodules), so a name listed here must exist, and a name
the package defines must be listed or private. The order is ruff's (RUF022): constants,
then classes, then the rest, each alphabetical.
"""

from __future__ import annotations

import pkgutil
import re
import tomllib
import types
from pathlib import Path

import koula

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

CLASS = re.compile(r"^_*[A-Z][a-z]")


def isort_key(name: str) -> tuple[int, str]:
    """Ruff's isort-style order for ``__all__``: SCREAMING_CASE, CamelCase, then the rest."""
    if name.isupper():
        return (0, name)
    return (1 if CLASS.match(name) else 2, name)


def test_every_public_name_exists() -> None:
    missing = [name for name in koula.__all__ if not hasattr(koula, name)]
    assert missing == []


def test_the_public_names_are_sorted_and_unique() -> None:
    assert koula.__all__ == sorted(set(koula.__all__), key=isort_key)


def test_every_name_the_package_defines_is_public_or_a_submodule() -> None:
    defined = {
        name
        for name, value in vars(koula).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert defined - {"annotations"} == set(koula.__all__) - {"__version__"}


def test_the_version_is_the_distributions() -> None:
    from importlib.metadata import version

    assert koula.__version__ == version("koula")


def test_the_import_contract_forbids_every_other_submodule_to_the_xblock_and_the_ui() -> None:
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"].startswith("The XBlock and the shared UI")]
    submodules = {f"koula.{module.name}" for module in pkgutil.iter_modules(koula.__path__)}
    assert set(contract["forbidden_modules"]) == submodules - {"koula.messages"}
