"""axe-core in the Playwright pages: inject it into a page and into each of its frames (the
LTI tool inside the course page), run it, and say what it found.

axe-core comes from the npm registry, pinned in the repository's package.json and
package-lock.json; ``npm ci`` (run by ``./dev test``) puts it in ``node_modules/``. The
browser context must bypass the pages' Content-Security-Policy (``bypass_csp=True``):
the tool's pages refuse inline scripts, and axe is injected as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import need_real_component
from tests.e2e.servers import ROOT

__all__ = ["AXE_JS", "BLOCKING", "HELD", "Violation", "audit", "blocking", "describe", "need_axe"]

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")  # the impacts that fail a page
# Moderate rules that fail a page too, once fixed everywhere: regions and forms told apart by
# their names (a screen reader lists landmarks by name).
HELD = ("landmark-unique",)
# The rules axe runs by default (WCAG 2.0 and 2.1 A and AA, parts of 2.2, best practices),
# plus WCAG 2.2 AA's target size (2.5.8: 24 px, or room around), off by default, which the
# 360 px pages need. Each frame is audited on its own, so axe does not reach into frames.
RUN = """() => axe.run(document, {
  iframes: false, resultTypes: ["violations"], rules: {"target-size": {enabled: true}},
}).then(
  (results) => results.violations.map((v) => ({
    rule: v.id, impact: v.impact || "", help: v.help, url: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.map(String).join(" > "),
      html: n.html,
      summary: n.failureSummary || "",
    })),
  })))"""


@dataclass(frozen=True)
class Violation:
    """One rule axe found broken in one frame, with every element that breaks it."""

    frame: str  # the frame's URL ("top" page or a framed tool page)
    rule: str
    impact: str
    help: str
    url: str
    nodes: tuple[str, ...]


def need_axe() -> None:
    """Skip without axe-core (a bare machine), fail under ``KOULA_REQUIRE_E2E=1`` (CI)."""
    need_real_component(AXE_JS.is_file(), f"axe-core ({AXE_JS}: run 'npm ci')")


def audit(page: Any) -> list[Violation]:
    """axe's violations in ``page`` and in every frame it shows, each frame on its own."""
    found: list[Violation] = []
    for frame in page.frames:
        if frame.is_detached() or frame.url in ("", "about:blank"):
            continue
        url = frame.url.split("#")[0]  # one page, whichever part its links scrolled to
        where = url if frame.parent_frame else f"top: {url}"
        if _runs_no_script(frame):
            found.extend(_copied(page, frame.content(), f"{where} (sandboxed, audited as a copy)"))
        else:
            found.extend(_run(frame, where))
    return found


def _run(frame: Any, where: str) -> list[Violation]:
    if not frame.evaluate("() => typeof axe !== 'undefined'"):
        frame.add_script_tag(path=str(AXE_JS))
    return [
        Violation(
            frame=where,
            rule=rule["rule"],
            impact=rule["impact"],
            help=rule["help"],
            url=rule["url"],
            nodes=tuple(_node(node) for node in rule["nodes"]),
        )
        for rule in frame.evaluate(RUN)
    ]


def _runs_no_script(frame: Any) -> bool:
    """A frame sandboxed without ``allow-scripts`` (the demo's e-mails): axe would load
    there but never finish (no timer fires)."""
    if frame.parent_frame is None:
        return False
    sandbox = frame.frame_element().get_attribute("sandbox")
    return sandbox is not None and "allow-scripts" not in sandbox.split()


def _copied(page: Any, html: str, where: str) -> list[Violation]:
    """Audit ``html`` in a page of its own, in the same browser context."""
    scratch = page.context.new_page()
    try:
        scratch.set_content(html)
        return _run(scratch.main_frame, where)
    finally:
        scratch.close()


def blocking(violations: list[Violation]) -> list[Violation]:
    """The violations whose impact is serious or critical, and those of the rules :data:`HELD`."""
    return [v for v in violations if v.impact in BLOCKING or v.rule in HELD]


def describe(violations: list[Violation]) -> str:
    """Every violation with its nodes, for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation.impact}] {violation.rule}: {violation.help} ({violation.url})\n"
            f"  in {violation.frame}"
        )
        lines.extend(f"    - {node}" for node in violation.nodes)
    return "\n".join(lines)


def _node(node: dict[str, str]) -> str:
    """An element: its selector, its HTML (cut), and what axe says is wrong with it."""
    summary = " / ".join(line.strip() for line in node["summary"].splitlines() if line.strip())
    return f"{node['target']}: {node['html'][:300]}\n      {summary}"
