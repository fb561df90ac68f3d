"""Trend charts: points left to right, gaps where a session has no value, escaped texts."""

from __future__ import annotations

from lxml import html as lxml_html

from koula_ui.charts_trend import BOTTOM, LEFT, RIGHT, TOP, Point, line_chart, point_x, point_y


def draw(points, **options):
    return line_chart(
        **{
            "points": points,
            "low": 0.0,
            "high": 1.0,
            "ticks": [(0.0, "0%"), (1.0, "100%")],
            "title": "Return rate",
            "desc": "Session 1: 50%.",
            "id_prefix": "c1",
        }
        | options
    )


def svg_of(markup):
    return lxml_html.fragment_fromstring(str(markup))


def test_points_spread_from_the_left_to_the_right_of_the_plot():
    assert [point_x(i, 3) for i in range(3)] == [LEFT, (LEFT + RIGHT) / 2, RIGHT]
    assert point_x(0, 1) == (LEFT + RIGHT) / 2


def test_values_sit_on_the_scale_and_stay_inside_it():
    assert point_y(0.0, 0.0, 1.0) == BOTTOM and point_y(1.0, 0.0, 1.0) == TOP
    assert point_y(7.0, 0.0, 1.0) == TOP and point_y(-3.0, 0.0, 1.0) == BOTTOM
    assert point_y(0.0, -2.0, 2.0) == (TOP + BOTTOM) / 2
    assert point_y(5.0, 1.0, 1.0) == BOTTOM  # an empty scale draws flat, never divides by 0


def test_a_session_without_a_value_leaves_a_gap_in_the_line():
    svg = svg_of(draw([Point("1", 0.5), Point("2", None), Point("3", 0.8), Point("4", 1.0)]))
    assert len(svg.xpath('.//rect[@class="koula-staff-point"]')) == 3
    lines = [ln for ln in svg.xpath(".//line") if ln.get("stroke-width") == "2.5"]
    assert len(lines) == 1  # only 3 to 4


def test_the_chart_is_an_image_labelled_by_its_title_and_description():
    svg = svg_of(draw([Point("1", 0.5)], title="<b>Rate</b>", desc='A "quoted" <desc>'))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.xpath(".//title")[0].text == "<b>Rate</b>"
    assert svg.xpath(".//desc")[0].text == 'A "quoted" <desc>'
    assert "<b>" not in str(draw([Point("1", 0.5)], title="<b>Rate</b>"))


def test_with_many_sessions_some_numbers_are_skipped_but_never_the_last():
    svg = svg_of(draw([Point(str(n), 0.5) for n in range(1, 21)]))
    labels = [t.text for t in svg.xpath('.//g[@class="koula-staff-sessions"]/text')]
    assert labels[0] == "1" and labels[-1] == "20"
    assert len(labels) <= 12
    few = svg_of(draw([Point(str(n), 0.5) for n in range(1, 6)]))
    assert [t.text for t in few.xpath('.//g[@class="koula-staff-sessions"]/text')] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
