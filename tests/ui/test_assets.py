"""The shared JavaScript and stylesheet: small enough to ship everywhere, and scoped to Koula."""

from __future__ import annotations

import gzip
import re

from koula_ui.assets import asset_text

BUDGET_BYTES = 20 * 1024


def gzipped_size(name: str) -> int:
    return len(gzip.compress(asset_text(name).encode("utf-8"), compresslevel=9))


def test_script_and_stylesheet_fit_the_gzipped_budget_together() -> None:
    sizes = {name: gzipped_size(name) for name in ("koula.js", "koula.css")}

    assert sum(sizes.values()) <= BUDGET_BYTES, sizes


def test_every_style_rule_is_scoped_under_the_koula_root() -> None:
    css = re.sub(r"/\*.*?\*/", "", asset_text("koula.css"), flags=re.S)
    selectors = [
        selector.strip()
        for block in re.findall(r"([^{}]+)\{", css)
        if not block.strip().startswith("@")
        for selector in block.split(",")
    ]

    assert selectors
    assert [s for s in selectors if not s.startswith(".koula")] == []


def test_the_script_exposes_the_mount_and_xblock_entry_points() -> None:
    script = asset_text("koula.js")

    assert "window.Koula = { mount }" in script
    assert "window.KoulaXBlock = function (runtime, element)" in script
    assert ".koula[data-koula-auto]" in script
