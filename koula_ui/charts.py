"""Bar charts drawn on the server as inline SVG, readable without colour, script or screen.

:func:`bar_chart` draws one horizontal bar per :class:`Bar`: its label above it
and its number written beside it, so no figure lives only in a length or a
colour. A bar's width is ``value / scale`` of the plotting width (a scale of 0
or a missing value draws an empty track, never a division by zero). Bars are
filled with patterns (solid, hatched, dotted, cross-hatched) and outlined, so
they stay distinct when printed in black and white. The ``<svg>`` has
``role="img"`` and is labelled by its ``<title>`` and a ``<desc>`` that the
caller writes, in the reader's language, with every number in words.

Every text is escaped (``Markup.format``), so learner or template text cannot
break out of the drawing. :func:`report_charts` makes the three charts of the
impact report (funnel from start to return, confidence before and after,
applied yes / partly / no) with their texts in the reader's language; numbers
are written by :func:`decimal` and :func:`signed` (a decimal comma in French)
and the catalog's percentage format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from koula import ImpactReport, Mean
from koula.messages import Gettext
from koula_ui.strings import percent

__all__ = [
    "Bar",
    "ChartView",
    "answer_words",
    "bar_chart",
    "bar_width",
    "decimal",
    "report_charts",
    "signed",
]

WIDTH = 400
LEFT = 6
"""Room on the left for the first number of a scale, centred on the start of the bars."""
PLOT = 250
"""The plotting width; the rest of ``WIDTH`` keeps room for the number beside a full bar."""
ROW = 60
LABEL_BASELINE = 17
BAR_TOP = 24
BAR_HEIGHT = 24
TICK_SPACE = 24
INK = "#1f2328"
ACCENT = "#1b5e83"
PATTERNS = (
    '<rect width="8" height="8" fill="{c}"/>',
    '<rect width="8" height="8" fill="#fff"/><path d="M-2 2l4-4M0 8l8-8M6 10l4-4" '
    'stroke="{c}" stroke-width="2.2"/>',
    '<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="2" fill="{c}"/>',
    '<rect width="8" height="8" fill="#fff"/><path d="M0 4h8M4 0v8" stroke="{c}" '
    'stroke-width="1.6"/>',
)


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None when unknown) and the number printed beside it."""

    label: str
    value: float | None
    text: str


def bar_width(value: float | None, scale: float, space: float = PLOT) -> float:
    """Return the length of a bar of ``value`` on ``scale`` in ``space``, within [0, space]."""
    if value is None or scale <= 0:
        return 0.0
    return round(min(max(value / scale, 0.0), 1.0) * space, 2)


def bar_chart(
    *,
    bars: Sequence[Bar],
    scale: float,
    title: str,
    desc: str,
    id_prefix: str,
    ticks: Sequence[tuple[float, str]] = (),
) -> Markup:
    """Return the ``<svg>`` of ``bars`` on ``scale``, with a scale line marking ``ticks``.

    ``id_prefix`` must be unique on the page (it names the patterns, title and desc);
    ``ticks`` are (value, text) pairs such as ``(3, "3")`` on a 1-to-5 scale.
    """
    height = len(bars) * ROW + (TICK_SPACE if ticks else 0) + 4
    parts = [_patterns(id_prefix)]
    parts += [_bar(bar, index, scale, id_prefix) for index, bar in enumerate(bars)]
    if ticks:
        parts.append(_axis(ticks, scale, len(bars) * ROW - 6))
    return Markup(
        '<svg class="koula-staff-chart" role="img" viewBox="0 0 {w} {h}" width="100%"'
        ' focusable="false" aria-labelledby="{p}-title {p}-desc">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}</desc>{body}</svg>'
    ).format(w=WIDTH, h=height, p=id_prefix, title=title, desc=desc, body=Markup("").join(parts))


def _patterns(id_prefix: str) -> Markup:
    defs = (
        Markup('<pattern id="{id}" width="8" height="8" patternUnits="userSpaceOnUse">').format(
            id=f"{id_prefix}-fill{n}"
        )
        + Markup(shape.format(c=ACCENT))
        + Markup("</pattern>")
        for n, shape in enumerate(PATTERNS)
    )
    return Markup("<defs>{}</defs>").format(Markup("").join(defs))


def _bar(bar: Bar, index: int, scale: float, id_prefix: str) -> Markup:
    top = index * ROW
    width = bar_width(bar.value, scale)
    fill = f"url(#{id_prefix}-fill{index % len(PATTERNS)})"
    return Markup(
        '<g class="koula-staff-bar" data-value="{value}">'
        '<text x="{left}" y="{label_y}" fill="{ink}" font-size="16">{label}</text>'
        '<rect class="koula-staff-track" x="{left}" y="{bar_y}" width="{plot}" height="{bh}"'
        ' fill="none" stroke="#d8dee4"/>'
        '<rect class="koula-staff-fill" x="{left}" y="{bar_y}" width="{width}" height="{bh}"'
        ' fill="{fill}" stroke="{ink}" stroke-width="1.5"/>'
        '<text class="koula-staff-value" x="{text_x}" y="{text_y}" fill="{ink}" font-size="16"'
        ' font-weight="600" stroke="#fff" stroke-width="4" paint-order="stroke">{text}</text></g>'
    ).format(
        value="" if bar.value is None else bar.value,
        label_y=top + LABEL_BASELINE,
        ink=INK,
        label=bar.label,
        bar_y=top + BAR_TOP,
        plot=PLOT,
        bh=BAR_HEIGHT,
        width=width,
        fill=fill,
        left=LEFT,
        text_x=round(LEFT + width + 8, 2),
        text_y=top + BAR_TOP + 18,
        text=bar.text,
    )


def _axis(ticks: Sequence[tuple[float, str]], scale: float, top: int) -> Markup:
    """Return a scale line under the bars, with a mark and a number at each tick."""
    marks = (
        Markup(
            '<line x1="{x}" x2="{x}" y1="{top}" y2="{end}" stroke="{ink}"/>'
            '<text x="{x}" y="{label_y}" text-anchor="middle" fill="{ink}" font-size="14">'
            "{text}</text>"
        ).format(x=x, top=top, end=top + 5, label_y=top + 18, ink=INK, text=text)
        for x, text in ((round(LEFT + bar_width(v, scale), 2), text) for v, text in ticks)
    )
    return Markup(
        '<g class="koula-staff-axis"><line x1="{left}" x2="{end}" y1="{top}" y2="{top}"'
        ' stroke="{ink}"/>{marks}</g>'
    ).format(left=LEFT, end=LEFT + PLOT, top=top, ink=INK, marks=Markup("").join(marks))


# The three charts of the impact report -------------------------------------------------

DECIMAL_COMMA = frozenset({"fr"})
NONE = "—"


@dataclass(frozen=True)
class ChartView:
    """One chart of the report: its heading, its drawing (None when the template lacks the
    question) and a note said under it."""

    key: str
    id: str
    heading: str
    svg: Markup | None
    note: str


def decimal(value: float, language: str, places: int = 1) -> str:
    """Return ``value`` with ``places`` decimals, with a decimal comma in French ("3,5")."""
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if language in DECIMAL_COMMA else text


def signed(value: float, language: str) -> str:
    """Return a change with its sign: "+0.7", "−0.3" (a true minus sign) or "0.0"."""
    text = decimal(abs(value), language)
    if text == decimal(0.0, language):
        return text
    return ("+" if value > 0 else "\u2212") + text


def report_charts(
    report: ImpactReport, prefix: str, language: str, _: Gettext
) -> tuple[ChartView, ...]:
    """Return the funnel, confidence and applied charts of ``report``."""
    return (
        _funnel(report, f"{prefix}-funnel", _),
        _confidence(report, f"{prefix}-confidence", language, _),
        _applied(report, f"{prefix}-applied", _),
    )


def _share(count: int, of: int, _: Gettext) -> str:
    """Return "4 (67%)", or "4" when there is nothing to take a share of."""
    if not of:
        return str(count)
    return _("{count} ({percent})").format(count=count, percent=percent(count / of, _))


def _described(intro: str, bars: Sequence[Bar], _: Gettext) -> str:
    items = "; ".join(_("{label}: {value}").format(label=b.label, value=b.text) for b in bars)
    return f"{intro} {items}."


def _funnel(report: ImpactReport, id_: str, _: Gettext) -> ChartView:
    labels = {
        "started": _("Started"),
        "cards": _("Submitted a practice card"),
        "commitments": _("Committed to an experiment"),
        "returns": _("Reported back"),
    }
    funnel, started = report.funnel, report.funnel.get("started", 0)
    bars = [Bar(labels[k], n, _share(n, started, _)) for k, n in funnel.items() if k in labels]
    heading = _("From start to return")
    intro = _("Learners at each step (share of those who started):")
    scale = max([started, *funnel.values()])
    svg = bar_chart(
        bars=bars, scale=scale, title=heading, desc=_described(intro, bars, _), id_prefix=id_
    )
    return ChartView("funnel", id_, heading, svg, "")


def _confidence(report: ImpactReport, id_: str, language: str, _: Gettext) -> ChartView:
    heading = _("Confidence before and after")
    before, after = report.confidence_at_commitment, report.confidence_at_return
    if before is None and after is None:
        return ChartView(
            "confidence", id_, heading, None, _("This template does not ask about confidence.")
        )

    def bar(label: str, mean: Mean | None) -> Bar:
        value = None if mean is None else mean.mean
        if value is None or mean is None:
            return Bar(label, None, NONE)
        text = _("{mean} / 5 (n = {n})").format(mean=decimal(value, language), n=mean.n)
        return Bar(label, value, text)

    bars = [bar(_("At commitment"), before), bar(_("At return"), after)]
    intro = _("Mean confidence, from 1 (not at all) to 5 (fully confident):")
    svg = bar_chart(
        bars=bars,
        scale=5,
        title=heading,
        desc=_described(intro, bars, _),
        id_prefix=id_,
        ticks=[(n, str(n)) for n in range(6)],
    )
    change = report.confidence_change
    note = ""
    if change is not None and change.mean is not None:
        note = _("Change for the learners who answered both times: {change} (n = {n}).").format(
            change=signed(change.mean, language), n=change.n
        )
    return ChartView("confidence", id_, heading, svg, note)


def _applied(report: ImpactReport, id_: str, _: Gettext) -> ChartView:
    heading = _("Experiment applied at work")
    if report.applied is None:
        note = _("This template does not ask whether the experiment was applied.")
        return ChartView("applied", id_, heading, None, note)
    words = answer_words(_)
    returns = report.returns.count if report.returns else 0
    bars = [Bar(words[k], f.count, _share(f.count, f.of, _)) for k, f in report.applied.items()]
    intro = _("Returns: {count}. Applied at work:").format(count=returns)
    svg = bar_chart(
        bars=bars, scale=returns, title=heading, desc=_described(intro, bars, _), id_prefix=id_
    )
    return ChartView("applied", id_, heading, svg, "")


def answer_words(_: Gettext) -> dict[str, str]:
    """Return the words of the yes / partly / no answers."""
    return {"yes": _("Yes"), "partly": _("Partly"), "no": _("No")}
