"""Dashboard figures against the hand-counted world of conftest.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vanban.reports.scope import Period, scope_for
from vanban.reports.selectors import dashboard, figure_documents
from vanban.reports.tests.conftest import MARCH, Stats

pytestmark = pytest.mark.django_db


def _dash(viewer: Any, unit: Any = None, **period: Any) -> Any:
    return dashboard(scope=scope_for(viewer, unit=unit), period=Period.build(**(period or MARCH)))


def _values(counts: list[Any]) -> dict[str, int]:
    return {c.label: c.value for c in counts}


def test_ministry_leader_sees_the_whole_ministry(stats: Stats, at_now: Any) -> None:
    d = _dash(stats.leader)
    assert d.incoming_total == 6  # A–F; G arrived in February
    assert _values(d.incoming_by_status) == {
        "Đã đăng ký, chờ trình": 1, "Chờ lãnh đạo cho ý kiến": 1, "Đang xử lý": 2, "Đã xử lý xong": 2,
    }
    assert _values(d.incoming_by_type) == {"Công văn": 4, "Quyết định (cá biệt)": 1, "Tờ trình": 1}
    assert _values(d.incoming_by_organ) == {"UBND tỉnh Nghệ An": 2, "Bộ Tài chính": 3, "Tổng cục Hải quan": 1}
    # Work: A (on time), B (overdue), C (late), F (within); A's team and person leads count through A.
    w = d.work
    assert (w.all, w.on_time, w.late, w.within, w.overdue) == (4, 1, 1, 1, 1)
    assert w.rate("on_time") == pytest.approx(33.3)
    rows = {r.bucket.label: r.counts for r in d.work_by_unit}
    assert (rows["Cục Xuất nhập khẩu"].all, rows["Cục Xuất nhập khẩu"].on_time) == (3, 1)
    assert (rows["Vụ Pháp chế"].all, rows["Vụ Pháp chế"].late) == (1, 1)
    assert d.processing.completed == 2
    assert d.processing.average_days == pytest.approx(6.5)
    assert d.processing.median_days == pytest.approx(6.5)
    assert d.processing.p90_days == pytest.approx(9.3)
    assert _values(d.backlog_by_leader) == {"Thứ trưởng Một": 1}
    assert (d.backlog.all, d.backlog.overdue) == (2, 1)
    print(d)
