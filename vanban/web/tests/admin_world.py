"""A small organisation for the administration page tests, built through the services:

    Cục Xuất nhập khẩu (A) ── Phòng Quản lý xuất khẩu (A1)
    Vụ Pháp chế (B)

sysadmin (system administrator, in B), unit_admin (unit administrator of A), specialist
(in A), a_person (in A1), b_person (in B), other_admin (unit administrator of B)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vanban.organisation.models import Unit
from vanban.organisation.roles import Role


@dataclass
class World:
    a: Unit
    a1: Unit
    b: Unit
    sysadmin: Any
    unit_admin: Any
    other_admin: Any
    specialist: Any
    a_person: Any
    b_person: Any


def build_world(make_unit: Any, make_user: Any) -> World:
    a = make_unit("Cục Xuất nhập khẩu", short_name="XNK")
    a1 = make_unit("Phòng Quản lý xuất khẩu", parent=a, short_name="XNK-QLXK")
    b = make_unit("Vụ Pháp chế", short_name="PC")
    return World(
        a=a,
        a1=a1,
        b=b,
        sysadmin=make_user("quantri", roles=[Role.SYSTEM_ADMIN], unit=b, full_name="Trần Minh Quân"),
        unit_admin=make_user("qt.xnk", roles=[Role.UNIT_ADMIN], unit=a, full_name="Giáp Văn Long"),
        other_admin=make_user("qt.pc", roles=[Role.UNIT_ADMIN], unit=b, full_name="Tạ Quang Vinh"),
        specialist=make_user("cv.xnk", roles=[Role.SPECIALIST], unit=a, full_name="Mạc Đăng Khoa"),
        a_person=make_user(
            "tp.qlxk", roles=[Role.UNIT_LEADER], unit=a1, full_name="Âu Thị Hương", email="huong@moit.gov.vn"
        ),
        b_person=make_user("cv.pc", roles=[Role.SPECIALIST], unit=b, full_name="Châu Ngọc Diệp"),
    )
