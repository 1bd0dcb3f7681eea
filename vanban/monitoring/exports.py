"""The usage report as an Excel workbook, one sheet per table; the export is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from vanban.audit import services as audit
from vanban.audit.display import person_name
from vanban.audit.exports import EXPORT_ROW_CAP, Export, append, cell, header, info_sheet, save, stamp
from vanban.audit.selectors import require_log_reader
from vanban.monitoring.selectors import UsageQuery, UsageSummary, usage_summary


def _never(value: Any) -> Any:
    return value if value is not None else "Chưa đăng nhập lần nào"


def build_workbook(summary: UsageSummary, *, exported_by: Any) -> Workbook:
    q = summary.query
    wb = Workbook(write_only=True)

    ws = wb.create_sheet("Đăng nhập theo ngày")
    header(ws, ["Ngày", "Số lượt đăng nhập"], [14, 20])
    for day, n in summary.logins_per_day:
        append(ws, [day, n])
    append(ws, ["Tổng cộng", summary.total_logins])

    ws = wb.create_sheet("Người dùng hoạt động")
    header(ws, ["Đơn vị", "Số người dùng có hoạt động"], [48, 28])
    for f in summary.active_users_per_unit:
        append(ws, [f.name, f.value])
    append(ws, ["Tổng số người (không trùng lặp)", summary.active_users])

    ws = wb.create_sheet("Thao tác theo đơn vị")
    header(ws, ["Đơn vị", "Số thao tác (không tính đăng nhập, đăng xuất)"], [48, 30])
    for f in summary.actions_per_unit:
        append(ws, [f.name, f.value])
    append(ws, ["Tổng cộng", summary.actions])

    ws = wb.create_sheet("Đơn vị không đăng nhập")
    header(
        ws,
        ["Đơn vị", "Số người", f"Số người không đăng nhập {q.inactive_days} ngày", "Lần đăng nhập gần nhất", "Ghi chú"],
        [48, 12, 26, 22, 30],
    )
    for u in summary.inactive_units:
        append(
            ws,
            [
                u.name,
                u.members,
                u.inactive,
                _never(u.last_login_at),
                "Không ai trong đơn vị đăng nhập" if u.nobody_logged_in else "",
            ],
        )

    ws = wb.create_sheet("Người không đăng nhập")
    header(
        ws,
        ["Họ và tên", "Tên đăng nhập", "Đơn vị", "Lần đăng nhập gần nhất", "Ngày tạo tài khoản"],
        [30, 20, 40, 24, 20],
    )
    for p in summary.inactive_people:
        append(ws, [p.full_name, p.username, p.unit_name, _never(p.last_login_at), p.date_joined])
    if summary.inactive_people_total > len(summary.inactive_people):
        ws.append(
            [
                cell(
                    ws,
                    f"Chỉ xuất {len(summary.inactive_people)} trên tổng số {summary.inactive_people_total} người.",
                    bold=True,
                )
            ]
        )

    ws = wb.create_sheet("Đăng nhập thất bại")
    header(ws, ["Tên đăng nhập đã nhập", "Số lần đăng nhập thất bại"], [32, 26])
    for username, n in summary.failed_by_username:
        append(ws, [username, n])
    append(ws, ["Tổng số lần đăng nhập thất bại", summary.failed_logins])
    append(ws, ["Số lần khóa tài khoản", summary.lockouts])

    info_sheet(
        wb,
        "Báo cáo giám sát khai thác, sử dụng hệ thống",
        [
            ("Người xuất", person_name(exported_by)),
            ("Thời điểm xuất", timezone.now()),
            *q.describe(),
            ("Tổng lượt đăng nhập", summary.total_logins),
            ("Số người dùng có hoạt động", summary.active_users),
            ("Số thao tác", summary.actions),
            ("Đăng nhập thất bại", summary.failed_logins),
            ("Khóa tài khoản", summary.lockouts),
        ],
    )
    return wb


def export_usage(*, actor: Any, query: UsageQuery) -> Export:
    """Builds the report and records `monitoring.exported` once the file exists."""
    authority = require_log_reader(actor)
    summary = usage_summary(viewer=actor, query=query, inactive_limit=EXPORT_ROW_CAP)
    spool = save(build_workbook(summary, exported_by=actor))
    with transaction.atomic():
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="monitoring.exported",
            data={"query": query.as_data(), "inactive_people": len(summary.inactive_people)},
        )
    return Export(
        spool,
        f"giam-sat-su-dung-{stamp()}.xlsx",
        len(summary.inactive_people),
        summary.inactive_people_total > len(summary.inactive_people),
    )
