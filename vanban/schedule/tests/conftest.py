from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from vanban.organisation.roles import Role
from vanban.schedule import services

MONDAY = dt.date(2026, 12, 7)


@pytest.fixture
def world(make_unit: Any, make_user: Any) -> SimpleNamespace:
    leadership = make_unit("Lãnh đạo Bộ", short_name="LĐB")
    office = make_unit("Văn phòng Bộ", short_name="VP")
    xnk = make_unit("Cục Xuất nhập khẩu", short_name="XNK")
    other = make_unit("Vụ Pháp chế", short_name="PC")
    return SimpleNamespace(
        office=office, xnk=xnk, other=other,
        minister=make_user("btruong", full_name="Hoàng Đức Thắng", unit=leadership, roles=[Role.MINISTRY_LEADER]),
        deputy=make_user("ttruong", full_name="Nguyễn Thị Lan", unit=leadership, roles=[Role.MINISTRY_LEADER]),
        clerk=make_user("vanthu", full_name="Bùi Thị Mai", unit=office, roles=[Role.MINISTRY_CLERK]),
        xnk_clerk=make_user("vtxnk", full_name="Ninh Thị Hoa", unit=xnk, roles=[Role.UNIT_CLERK]),
        xnk_leader=make_user("ctxnk", full_name="Khúc Văn Hải", unit=xnk, roles=[Role.UNIT_LEADER]),
        xnk_specialist=make_user("cvxnk", full_name="Mạc Đăng Khoa", unit=xnk, roles=[Role.SPECIALIST]),
        outsider=make_user("cvpc", full_name="Châu Ngọc Diệp", unit=other, roles=[Role.SPECIALIST]),
        other_clerk=make_user("vtpc", full_name="Tạ Quang Vinh", unit=other, roles=[Role.UNIT_CLERK]),
    )


def entry_data(**kw: Any) -> services.EntryData:
    base: dict[str, Any] = {"date": MONDAY, "start_time": dt.time(8, 0), "end_time": dt.time(10, 0),
                            "content": "Họp giao ban Lãnh đạo Bộ", "place": "Phòng họp tầng 3"}
    base.update(kw)
    return services.EntryData(**base)


def published_ministry_schedule(w: SimpleNamespace, **entry_kw: Any) -> tuple[Any, Any]:
    schedule = services.create_schedule(actor=w.clerk, unit=None, week_start=MONDAY)
    entry, _ = services.add_entry(actor=w.clerk, schedule=schedule,
                                  data=entry_data(chair=w.minister, participants=[w.deputy], **entry_kw))
    services.submit(actor=w.clerk, schedule=schedule)
    services.approve(actor=w.minister, schedule=schedule)
    services.publish(actor=w.clerk, schedule=schedule)
    return schedule, entry
