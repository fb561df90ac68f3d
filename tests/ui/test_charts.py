"""The SVG bar charts: proportional, zero-safe, labelled for people who cannot see them, escaped."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lxml import etree

from koula_ui.charts import PLOT, Bar, bar_chart, bar_width, decimal, signed

BARS = [Bar("Started", 6, "6 (100%)"), Bar("Cards", 3, "3 (50%)"), Bar("Returns", 0, "0 (0%)")]


def draw(bars: list[Bar] = BARS, scale: float = 6, **options: Any) -> Any:
    arguments: dict[str, Any] = {"title": "Funnel", "desc": "Six started.", "id_prefix": "c1"}
    return etree.fromstring(str(bar_chart(bars=bars, scale=scale, **arguments | options)))


def fills(svg: Any) -> list[Any]:
    return svg.xpath('//*[@class="koula-staff-fill"]')


def test_bar_widths_are_proportional_to_the_value_on_the_scale() -> None:
    assert bar_width(6, 6) == PLOT
    assert bar_width(3, 6) == PLOT / 2
    assert bar_width(1, 4, space=100) == 25
    assert [float(f.get("width")) for f in fills(draw())] == [PLOT, PLOT / 2, 0]


def test_a_zero_scale_or_an_unknown_value_draws_an_empty_bar_without_failing() -> None:
    assert bar_width(5, 0) == 0
    assert bar_width(None, 5) == 0
    svg = draw([Bar("Yes", 0, "0"), Bar("No", None, "—")], scale=0)

    assert [float(f.get("width")) for f in fills(svg)] == [0, 0]
    assert svg.xpath('//*[@class="koula-staff-value"]/text()') == ["0", "—"]


def test_values_beyond_the_scale_are_clamped_to_the_plot() -> None:
    assert bar_width(9, 6) == PLOT
    assert bar_width(-1, 6) == 0


def test_the_chart_is_an_image_named_by_its_title_and_description() -> None:
    svg = draw(title="From start to return", desc="Started: 6; Cards: 3.")
    (title,) = svg.xpath("./title")
    (desc,) = svg.xpath("./desc")

    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert title.text == "From start to return"
    assert desc.text == "Started: 6; Cards: 3."


def test_every_bar_prints_its_label_and_its_number_beside_it() -> None:
    svg = draw()
    groups = svg.xpath('//*[@class="koula-staff-bar"]')

    for group, bar in zip(groups, BARS, strict=True):
        (label, value) = group.xpath("./text")
        (fill,) = group.xpath('./*[@class="koula-staff-fill"]')
        assert label.text == bar.label
        assert value.text == bar.text
        assert float(value.get("x")) > float(fill.get("width"))


def test_bars_have_distinct_patterns_and_outlines_so_they_print_in_black_and_white() -> None:
    svg = draw([Bar(str(n), n, str(n)) for n in range(1, 5)], scale=4)
    references = [re.fullmatch(r"url\(#(.+)\)", f.get("fill")).group(1) for f in fills(svg)]
    patterns = svg.xpath("//pattern/@id")

    assert len(set(references)) == 4
    assert set(references) <= set(patterns)
    assert all(f.get("stroke") for f in fills(svg))


def test_a_scale_line_marks_each_tick_with_its_number() -> None:
    svg = draw(scale=5, ticks=[(n, str(n)) for n in range(6)])

    assert svg.xpath('//*[@class="koula-staff-axis"]/text/text()') == list("012345")
    xs = [float(x) for x in svg.xpath('//*[@class="koula-staff-axis"]/text/@x')]
    assert xs == sorted(xs) and xs[-1] - xs[0] == pytest.approx(PLOT)


def test_text_in_the_drawing_is_escaped() -> None:
    attack = '</title><script>alert(1)</script>"&'
    page = str(
        bar_chart(bars=[Bar(attack, 1, attack)], scale=1, title=attack, desc=attack, id_prefix="c")
    )
    svg = etree.fromstring(page)

    assert "<script>" not in page
    assert svg.xpath("./title/text()") == [attack]
    assert svg.xpath('//*[@class="koula-staff-value"]/text()') == [attack]


def test_two_charts_on_a_page_never_share_an_id() -> None:
    ids = [*draw(id_prefix="p-funnel").xpath("//@id"), *draw(id_prefix="p-applied").xpath("//@id")]

    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [(3.5, "en", "3.5"), (3.5, "fr", "3,5"), (4.0, "fr", "4,0"), (2.26, "en", "2.3")],
)
def test_decimals_follow_the_readers_language(value: float, language: str, expected: str) -> None:
    assert decimal(value, language) == expected


def test_changes_carry_their_sign_and_a_true_minus() -> None:
    assert signed(0.6667, "en") == "+0.7"
    assert signed(-0.3333, "fr") == "\u22120,3"
    assert signed(0.01, "en") == "0.0"
