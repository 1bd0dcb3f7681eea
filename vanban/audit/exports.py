"""Excel exports of the event log, and the small xlsx helpers the usage report shares.

Workbooks are built with openpyxl's write-only mode into a spooled temporary file, so a
50 000-row export keeps memory flat. The export is itself audited (`audit.exported`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from vanban.audit import display
from vanban.audit import services as audit
from vanban.audit.models import AuditEvent
from vanban.audit.selectors import AuditFilter, filter_events, iter_export_rows, require_log_reader

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# openpyxl writes some 5 000–10 000 rows a second; the cap keeps one export inside a
# web request's time limit. Narrower filters export the rest.
EXPORT_ROW_CAP = 50_000
_MAX_CELL = 32_000  # Excel refuses cells over 32 767 characters
_SPOOL_BYTES = 16 * 1024 * 1024
_BOLD = Font(bold=True)
_DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
_DATE_FORMAT = "dd/mm/yyyy"


@dataclass
class Export:
    file: IO[bytes]
    filename: str
    rows: int
    truncated: bool


# --- Shared cell helpers ---------------------------------------------------------------


def cell(ws: WriteOnlyWorksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    """A cell that is always data: control characters dropped, text never read as a
    formula (a user-typed "=HYPERLINK(...)" must not run in the reader's Excel), aware
    datetimes shown in Vietnam time."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        c = WriteOnlyCell(ws, value)
        c.number_format = _DATETIME_FORMAT
    elif isinstance(value, dt.date):
        c = WriteOnlyCell(ws, value)
        c.number_format = _DATE_FORMAT
    elif isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:_MAX_CELL]
        c = WriteOnlyCell(ws, text)
        c.data_type = "s"
    else:
        c = WriteOnlyCell(ws, value)
    if bold:
        c.font = _BOLD
    return c


def header(ws: WriteOnlyWorksheet, titles: Sequence[str], widths: Sequence[int] = ()) -> None:
    """Column widths must be set before the first row in write-only mode."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    cells = []
    for title in titles:
        c = cell(ws, title, bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(c)
    ws.append(cells)


def append(ws: WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    ws.append([cell(ws, v) for v in values])


def info_sheet(wb: Workbook, title: str, rows: Sequence[tuple[str, Any]]) -> None:
    ws = wb.create_sheet("Thông tin")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 70
    ws.append([cell(ws, title, bold=True)])
    ws.append([])
    for label, value in rows:
        ws.append([cell(ws, label, bold=True), cell(ws, value)])


def save(wb: Workbook) -> IO[bytes]:
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (returned open)
    wb.save(spool)
    spool.seek(0)
    return spool


def stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# --- The event log export -----------------------------------------------------------------

EVENT_HEADERS = (
    "Mã sự kiện",
    "Thời gian",
    "Người thực hiện",
    "Tên đăng nhập",
    "Thay mặt",
    "Đơn vị",
    "Thao tác",
    "Mã thao tác",
    "Đối tượng",
    "Loại đối tượng",
    "Mã đối tượng",
    "Địa chỉ IP",
    "Kênh",
    "Trình duyệt",
    "Dữ liệu (trước/sau)",
)
_EVENT_FIELDS = (
    "occurred_at",
    "actor_username",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "data",
    "ip_address",
    "user_agent",
    "channel",
    "actor__username",
    "actor__full_name",
    "actor_unit__name",
    "on_behalf_of__username",
    "on_behalf_of__full_name",
)
_EVENT_WIDTHS = (11, 20, 30, 18, 28, 30, 28, 22, 36, 20, 12, 16, 11, 30, 60)


def _event_values(event: AuditEvent) -> list[Any]:
    return [
        event.pk,
        event.occurred_at,
        display.actor_label(event),
        event.actor_username,
        display.person_name(event.on_behalf_of) if event.on_behalf_of_id else "",
        display.unit_label(event),
        display.action_label(event.action),
        event.action,
        display.target_label(event),
        event.target_type,
        event.target_id,
        event.ip_address or "",
        display.channel_label(event.channel),
        event.user_agent,
        display.data_text(event),
    ]


def export_events(*, actor: Any, filters: AuditFilter, row_cap: int | None = None) -> Export:
    """The filtered events, newest first, at most `row_cap` rows (the workbook says so
    when it stops early). Records `audit.exported` once the file is built."""
    authority = require_log_reader(actor)
    cap = row_cap or EXPORT_ROW_CAP
    events = (
        filter_events(AuditEvent.objects.all(), filters)
        .select_related("actor", "actor_unit", "on_behalf_of")
        .only(*_EVENT_FIELDS)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Nhật ký")
    header(ws, EVENT_HEADERS, _EVENT_WIDTHS)
    rows = 0
    truncated = False
    for event in iter_export_rows(events, cap + 1):
        if rows == cap:
            truncated = True
            break
        append(ws, _event_values(event))
        rows += 1
    cap_text = f"{cap:,}".replace(",", ".")
    if truncated:
        ws.append([])
        ws.append(
            [
                cell(
                    ws,
                    f"Đã đạt giới hạn {cap_text} dòng: còn sự kiện chưa được xuất. "
                    "Hãy thu hẹp điều kiện lọc (thời gian, đơn vị, thao tác) để xuất phần còn lại.",
                    bold=True,
                )
            ]
        )
    info = [
        ("Người xuất", display.person_name(actor)),
        ("Thời điểm xuất", timezone.now()),
        *filters.describe(),
        ("Số sự kiện đã xuất", rows),
        ("Giới hạn mỗi lần xuất", f"{cap_text} dòng" + (" (đã đạt giới hạn)" if truncated else "")),
    ]
    if filters.is_empty:
        info.insert(2, ("Điều kiện lọc", "Không có (toàn bộ nhật ký)"))
    info_sheet(wb, "Nhật ký hệ thống – kết quả xuất", info)
    spool = save(wb)
    with transaction.atomic():
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="audit.exported",
            data={"filters": filters.as_data(), "rows": rows, "truncated": truncated},
        )
    return Export(spool, f"nhat-ky-he-thong-{stamp()}.xlsx", rows, truncated)
