"""Dashboard figures against the hand-counted world of conftest.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vanban.reports.scope import Period, scope_for
from vanban.reports.selectors import dashboard
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
        "Đã đăng ký, chờ trình": 1,
        "Chờ lãnh đạo cho ý kiến": 1,
        "Đang xử lý": 2,
        "Đã xử lý xong": 2,
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


def _work(d: Any) -> tuple[int, int, int, int, int]:
    w = d.work
    return (w.all, w.on_time, w.late, w.within, w.overdue)


def _rows(d: Any) -> dict[str, int]:
    return {r.bucket.label: r.counts.all for r in d.work_by_unit}


def test_a_unit_clerk_counts_only_the_units_subtree(stats: Stats, at_now: Any) -> None:
    d = _dash(stats.world.unit_clerk)
    assert d.scope.describe() == "Cục Xuất nhập khẩu (gồm đơn vị trực thuộc)"
    assert d.incoming_total == 3  # A, B (led by the Cục) and F (its own register); not C, D, E
    assert _values(d.incoming_by_organ) == {"UBND tỉnh Nghệ An": 2, "Tổng cục Hải quan": 1}
    assert _work(d) == (3, 1, 0, 1, 1)  # A on time, F within, B overdue
    # A re-assigned to the Phòng counts in the Phòng's row as well; the total counts it once.
    assert _rows(d) == {"Cục Xuất nhập khẩu (trực tiếp)": 2, "Phòng Quản lý xuất khẩu": 2}
    assert d.processing.completed == 1 and d.processing.average_days == pytest.approx(3.0)
    assert d.backlog_by_leader == []  # D waits for a ministry leader posted in Vụ Pháp chế


def test_a_cooperating_unit_sees_the_document_but_not_the_leads_work(stats: Stats, at_now: Any) -> None:
    d = _dash(stats.world.other_clerk)
    assert d.incoming_total == 2  # C (lead) and A (phối hợp)
    assert _work(d) == (1, 0, 1, 0, 0)  # only C, late
    assert d.processing.p90_days == pytest.approx(10.0)


def test_a_specialist_sees_their_own_work(stats: Stats, at_now: Any) -> None:
    d = _dash(stats.world.specialist)
    assert d.scope.kind == "own"
    assert d.incoming_total == 1
    assert _work(d) == (1, 1, 0, 0, 0)
    assert d.backlog.all == 0


def test_a_sub_unit_leader_counts_the_work_handed_down_to_them(stats: Stats, at_now: Any) -> None:
    d = _dash(stats.team_leader)
    assert d.incoming_total == 2  # A and F
    assert _work(d) == (2, 1, 0, 1, 0)  # the Phòng's part of A (on time) and F (within)


def test_the_unit_filter_narrows_a_ministry_view(stats: Stats, at_now: Any) -> None:
    d = _dash(stats.leader, unit=stats.world.dept)
    assert d.incoming_total == 3
    assert _work(d) == (3, 1, 0, 1, 1)
    assert [b.key for b in d.scope.buckets] == [str(stats.world.dept.pk), str(stats.world.team.pk)]


def test_a_unit_viewer_cannot_choose_another_unit(stats: Stats, at_now: Any) -> None:
    from vanban.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        scope_for(stats.world.unit_clerk, unit=stats.world.other)
    # IT staff read no documents: their figures are all zero, like their document lists.
    admin = _dash(stats.world.sysadmin)
    assert (admin.incoming_total, admin.work.all, admin.backlog.all, admin.backlog_by_leader) == (0, 0, 0, [])


def test_periods_and_weeks(stats: Stats, at_now: Any) -> None:
    feb = _dash(stats.leader, date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28), granularity="month")
    assert feb.incoming_total == 1
    assert [(c.label, c.value) for c in feb.incoming_by_period] == [("02/2026", 1)]
    weeks = _dash(stats.leader, date_from=dt.date(2026, 2, 16), date_to=dt.date(2026, 3, 8), granularity="week")
    assert [(c.key, c.value) for c in weeks.incoming_by_period] == [
        ("2026-02-16", 1),
        ("2026-02-23", 0),
        ("2026-03-02", 6),
    ]
    assert weeks.incoming_by_period[0].label == "Tuần 08/2026"


def test_backlog_is_the_current_state_whatever_the_period(stats: Stats, at_now: Any) -> None:
    feb = _dash(stats.leader, date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
    assert feb.work.all == 0
    assert (feb.backlog.all, feb.backlog.overdue, feb.backlog.within) == (2, 1, 1)  # B and F
    rows = {r.bucket.label: (r.counts.all, r.counts.overdue) for r in feb.backlog_by_unit if r.counts.all}
    assert rows == {"Cục Xuất nhập khẩu": (2, 1)}


def test_invalid_periods_are_refused(db: Any) -> None:
    from vanban.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        Period.build(date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 1))
    assert exc.value.code == "invalid_period"
    with pytest.raises(ValidationFailed) as exc:
        Period.build(date_from=dt.date(2020, 1, 1), date_to=dt.date(2026, 3, 1))
    assert exc.value.code == "period_too_long"
    with pytest.raises(ValidationFailed):
        Period.build(granularity="day")


def test_the_one_pass_work_read_equals_the_separate_aggregates(stats: Stats, at_now: Any) -> None:
    """The work counts and processing times come from the read model; for every kind of viewer they must be exactly what the per-unit GROUP BY
    and the percentile query give when they read the assignments themselves."""
    from vanban.core.timeutil import today
    from vanban.reports.selectors import (
        _unit_pairs,
        no_jit,
        processing_times,
        top_most_q,
        work_and_processing,
        work_in_period,
    )

    period = Period.build(**MARCH)
    w = stats.world
    for viewer in (stats.leader, w.unit_clerk, w.other_clerk, stats.team_leader, w.specialist, w.sysadmin):
        scope = scope_for(viewer)
        with no_jit():
            pairs, processing = work_and_processing(scope, period, today())
            items = work_in_period(scope, period)
            expected_pairs = _unit_pairs(items, today(), with_time=True)
            expected = processing_times(items.filter(top_most_q(scope)))

        def key(row: dict[str, Any]) -> tuple[Any, ...]:
            return (row["own_unit"] or 0, row["parent_lead_unit"] or 0)

        got = sorted(pairs, key=key)
        want = sorted(expected_pairs, key=key)
        fields = ("own_unit", "parent_lead_unit", "all", "on_time", "late", "within", "overdue")
        assert [[r[f] for f in fields] for r in got] == [[r[f] for f in fields] for r in want], viewer.username
        assert [r["seconds"] or 0 for r in got] == pytest.approx([r["seconds"] or 0 for r in want])
        assert processing.completed == expected.completed, viewer.username
        for name in ("average_days", "median_days", "p90_days"):
            assert getattr(processing, name) == pytest.approx(getattr(expected, name)), (viewer.username, name)
