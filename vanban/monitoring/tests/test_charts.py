from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from vanban.monitoring.charts import bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.tag == f"{SVG}svg"
    return root


def _texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_bar_chart_is_valid_accessible_svg_with_vietnamese_labels():
    items = [("Cục Thương mại điện tử và Kinh tế số", 12), ("Vụ Pháp chế", 3), ("Thanh tra Bộ", 0)]
    root = _parse(
        bar_chart(
            items,
            title="Người dùng theo đơn vị",
            description="Số người có hoạt động",
            chart_id="active",
            value_label="người",
        )
    )
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "active-title active-desc"
    assert root.find(f"{SVG}title").text == "Người dùng theo đơn vị"
    assert root.find(f"{SVG}desc").text == "Số người có hoạt động"
    tooltips = [t.text for g in root.iter(f"{SVG}g") for t in g.findall(f"{SVG}title")]
    assert tooltips == [
        "Cục Thương mại điện tử và Kinh tế số: 12 người",
        "Vụ Pháp chế: 3 người",
        "Thanh tra Bộ: 0 người",
    ]
    texts = _texts(root)
    assert "Vụ Pháp chế" in texts and "12" in texts
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > widths[2] == 0


def test_bar_chart_escapes_markup_and_shortens_long_names():
    name = "<script>alert(1)</script> & Tổng cục Quản lý thị trường – Vụ Nghiệp vụ quản lý thị trường"
    svg = bar_chart([(name, 1234567)], title='Tiêu đề "có" <b>', description="a & b", chart_id="x y")
    assert "<script>" not in svg and "<b>" not in svg
    root = _parse(svg)
    assert root.find(f"{SVG}title").text == 'Tiêu đề "có" <b>'
    label = next(t for t in _texts(root) if t.startswith("<script>"))
    assert label.endswith("…") and len(label) < len(name)
    assert "1.234.567" in _texts(root)  # Vietnamese thousands separator
    assert root.get("aria-labelledby") == "x-y-title x-y-desc"


def test_line_chart_has_a_point_per_day_with_dated_tooltips():
    start = dt.date(2026, 3, 1)
    points = [(start + dt.timedelta(days=i), n) for i, n in enumerate([0, 3, 1, 1, 0])]
    root = _parse(
        line_chart(
            points, title="Đăng nhập theo ngày", description="Tổng 5 lượt", chart_id="logins", value_label="lượt"
        )
    )
    circles = list(root.iter(f"{SVG}circle"))
    assert len(circles) == 5
    assert [c.find(f"{SVG}title").text for c in circles][1] == "02/03/2026: 3 lượt"
    assert "01/03" in _texts(root) and "05/03" in _texts(root)
    ys = [float(c.get("cy")) for c in circles]
    assert ys[1] < ys[2] < ys[0]  # higher values are drawn higher
    assert len(root.findall(f"{SVG}polyline")) == 1


def test_line_chart_thins_axis_labels_on_long_periods():
    start = dt.date(2025, 1, 1)
    points = [(start + dt.timedelta(days=i), i % 7) for i in range(365)]
    root = _parse(line_chart(points, title="Cả năm", description="365 ngày"))
    dated = [t for t in _texts(root) if "/" in t]
    assert 6 <= len(dated) <= 10
    assert len(list(root.iter(f"{SVG}circle"))) == 365


@pytest.mark.parametrize(
    "render",
    [
        lambda: bar_chart([], title="Trống", description="Không có gì"),
        lambda: line_chart([], title="Trống", description="Không có gì"),
    ],
)
def test_empty_charts_say_there_is_no_data(render):
    root = _parse(render())
    assert "Không có dữ liệu trong khoảng thời gian này." in _texts(root)


def test_single_day_and_all_zero_values_do_not_divide_by_zero():
    root = _parse(line_chart([(dt.date(2026, 3, 1), 0)], title="Một ngày", description="0"))
    assert len(list(root.iter(f"{SVG}circle"))) == 1
    _parse(bar_chart([("Vụ Pháp chế", 0)], title="Không", description="0"))


def test_nice_ticks_are_round_numbers_covering_the_maximum():
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(12) == [0, 5, 10, 15]
    assert nice_ticks(870)[-1] == 1000
