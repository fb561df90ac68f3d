"""Trend charts across a series' sessions: one line of points, drawn as inline SVG.

:func:`line_chart` draws one point per session from left to right (session 1
first), joined by a line where two neighbours both have a value; a session
without a value leaves a gap and is said "—" in the description. Points are
outlined squares (no figure lives in a colour), the vertical scale has a line
and a number at each tick, and sessions are numbered under the axis (every
one up to 12 sessions, then every few, always the last). As in
:mod:`koula_ui.charts`, the ``<svg>`` has ``role="img"`` and is labelled by
its ``<title>`` and a ``<desc>`` the caller writes with every value in words,
and every text is escaped.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

__all__ = ["Point", "line_chart", "point_x", "point_y"]

WIDTH = 400
HEIGHT = 220
LEFT = 44
RIGHT = 388
TOP = 12
BOTTOM = 180
INK = "#1f2328"
ACCENT = "#1b5e83"
GRID = "#d8dee4"
MAX_LABELS = 12


@dataclass(frozen=True)
class Point:
    """One session's value (None when it has none) and its label under the axis."""

    label: str
    value: float | None


def point_x(index: int, count: int) -> float:
    """Return the horizontal place of point ``index`` of ``count``, spread over the plot."""
    if count <= 1:
        return (LEFT + RIGHT) / 2
    return round(LEFT + (RIGHT - LEFT) * index / (count - 1), 2)


def point_y(value: float, low: float, high: float) -> float:
    """Return the vertical place of ``value`` on a scale from ``low`` to ``high`` (clamped)."""
    if high <= low:
        return float(BOTTOM)
    share = min(max((value - low) / (high - low), 0.0), 1.0)
    return round(BOTTOM - (BOTTOM - TOP) * share, 2)


def line_chart(
    *,
    points: Sequence[Point],
    low: float,
    high: float,
    ticks: Sequence[tuple[float, str]],
    title: str,
    desc: str,
    id_prefix: str,
) -> Markup:
    """Return the ``<svg>`` of ``points`` on a scale from ``low`` to ``high``.

    ``ticks`` are (value, text) pairs marked on the scale ("50%" at 0.5); ``id_prefix``
    must be unique on the page.
    """
    count = len(points)
    places = [
        None if p.value is None else (point_x(i, count), point_y(p.value, low, high))
        for i, p in enumerate(points)
    ]
    parts = [_scale(ticks, low, high), _axis_labels(points)]
    for here, there in itertools.pairwise(places):
        if here and there:
            parts.append(
                Markup(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"/>'
                ).format(*here, *there, ACCENT)
            )
    for point, place in zip(points, places, strict=True):
        if place:
            parts.append(
                Markup(
                    '<rect class="koula-staff-point" data-value="{v}" x="{x}" y="{y}" width="9"'
                    ' height="9" fill="#fff" stroke="{ink}" stroke-width="2"/>'
                ).format(
                    v=point.value, x=round(place[0] - 4.5, 2), y=round(place[1] - 4.5, 2), ink=INK
                )
            )
    return Markup(
        '<svg class="koula-staff-chart" role="img" viewBox="0 0 {w} {h}" width="100%"'
        ' focusable="false" aria-labelledby="{p}-title {p}-desc">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}</desc>{body}</svg>'
    ).format(w=WIDTH, h=HEIGHT, p=id_prefix, title=title, desc=desc, body=Markup("").join(parts))


def _scale(ticks: Sequence[tuple[float, str]], low: float, high: float) -> Markup:
    lines = (
        Markup(
            '<line x1="{left}" x2="{right}" y1="{y}" y2="{y}" stroke="{grid}"/>'
            '<text x="{tx}" y="{ty}" text-anchor="end" fill="{ink}" font-size="13">{text}</text>'
        ).format(
            left=LEFT,
            right=RIGHT,
            y=y,
            grid=GRID,
            tx=LEFT - 6,
            ty=round(y + 4, 2),
            ink=INK,
            text=text,
        )
        for y, text in ((point_y(value, low, high), text) for value, text in ticks)
    )
    return Markup('<g class="koula-staff-axis">{}</g>').format(Markup("").join(lines))


def _axis_labels(points: Sequence[Point]) -> Markup:
    count = len(points)
    step = max(1, math.ceil(count / MAX_LABELS))
    shown = [i for i in range(count) if i % step == 0 or i == count - 1]
    if len(shown) > 1 and shown[-1] - shown[-2] < step:
        del shown[-2]  # keep the last session's number, not two crowded ones
    labels = (
        Markup(
            '<text x="{x}" y="{y}" text-anchor="middle" fill="{ink}" font-size="13">{t}</text>'
        ).format(x=point_x(i, count), y=BOTTOM + 20, ink=INK, t=points[i].label)
        for i in shown
    )
    return Markup(
        '<g class="koula-staff-sessions"><line x1="{l}" x2="{r}" y1="{b}" y2="{b}" stroke="{ink}"/>'
        "{labels}</g>"
    ).format(l=LEFT, r=RIGHT, b=BOTTOM, ink=INK, labels=Markup("").join(labels))
