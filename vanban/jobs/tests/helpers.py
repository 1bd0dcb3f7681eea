"""Spreadsheets and a small organisation for the import and job tests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook

from vanban.accounts.imports import start_import
from vanban.organisation import services
from vanban.organisation.models import Position, Unit
from vanban.organisation.roles import Role

HEADER = ["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Điện thoại", "Đơn vị", "Chức vụ", "Vai trò"]

# 5 good rows and 3 bad ones (duplicate username, invalid e-mail, unknown unit).
GOOD_AND_BAD = [
    ["nv.an", "Nguyễn Văn An", "nvan@moit.gov.vn", "0912345678", "VP-TH", "Chuyên viên", "Chuyên viên"],
    ["da.co", "Người Đã Có", "", "", "VP", "Chuyên viên", ""],
    ["tt.binh", "Trần Thị Bình", "khong-phai-thu", "", "VP", "Chuyên viên", ""],
    ["le.cuong", "Lê Văn Cường", "", "", "Cục Không Tồn Tại", "Chuyên viên", ""],
    ["pham.dung", "Phạm Thị Dung", "ptdung@moit.gov.vn", "", "VP", "Văn thư", "Văn thư đơn vị; Chuyên viên"],
    ["hoang.em", "Hoàng Văn Em", "", "", "Vụ Pháp chế", "Chuyên viên", "specialist"],
    ["vo.giang", "Võ Thị Giang", "", "", "vp-th", "chuyen vien", ""],
    ["dang.hai", "Đặng Văn Hải", "dvhai@moit.gov.vn", "024 3826 2222", "Văn phòng Bộ", "Chuyên viên", ""],
]
GOOD = {"nv.an", "pham.dung", "hoang.em", "vo.giang", "dang.hai"}


def xlsx_bytes(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header or HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list[str]], header: list[str] | None = None, delimiter: str = ",", bom: bool = True) -> bytes:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


@dataclass
class World:
    vp: Unit
    vp_th: Unit
    pc: Unit
    specialist_position: Position
    clerk_position: Position
    sysadmin: Any
    vp_admin: Any
    specialist: Any
    existing: Any


def build_world(make_unit: Any, make_user: Any, position: Position) -> World:
    vp = make_unit("Văn phòng Bộ", short_name="VP")
    vp_th = make_unit("Phòng Tổng hợp", parent=vp, short_name="VP-TH")
    pc = make_unit("Vụ Pháp chế", short_name="PC")
    clerk = services.create_position(actor=None, code="van-thu", name="Văn thư")
    return World(
        vp=vp,
        vp_th=vp_th,
        pc=pc,
        specialist_position=position,
        clerk_position=clerk,
        sysadmin=make_user("quantri", roles=[Role.SYSTEM_ADMIN], unit=vp),
        vp_admin=make_user("qt.vp", roles=[Role.UNIT_ADMIN], unit=vp),
        specialist=make_user("cv.vp", roles=[Role.SPECIALIST], unit=vp),
        existing=make_user("da.co", unit=pc),
    )


def start(
    actor: Any, rows: list[list[Any]] | None = None, *, data: bytes | None = None, name: str = "tai-khoan.xlsx"
) -> Any:
    return start_import(actor=actor, filename=name, data=data if data is not None else xlsx_bytes(rows or GOOD_AND_BAD))
