"""Sổ đăng ký văn bản đến (ND30 App IV) for a period, as an Excel workbook or a
print-ready PDF, and the receipt slip (giấy biên nhận) of one incoming document.

Who may export: whoever may read the register's documents. Every row goes through
`incoming_visible_to`, so the export holds exactly what the person could open one by
one, and a register with nothing they may read answers 404. Rows stream from the
database in register order (`iterator()`), into openpyxl's write-only mode or straight
onto reportlab's canvas, so a register year of 20 000 documents keeps memory flat.
Exports and printed slips are audited (domain.md §6: "every download, print").
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import models, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from vanban.audit import services as audit
from vanban.audit.display import person_name
from vanban.audit.exports import XLSX_CONTENT_TYPE, cell, stamp
from vanban.core.errors import NotFound, ValidationFailed
from vanban.documents.catalogue import Urgency
from vanban.documents.models import Register
from vanban.incoming.models import IncomingDocument
from vanban.incoming.selectors import incoming_visible_to

PDF_CONTENT_TYPE = "application/pdf"
# bench/incoming_exports.py, 20 000 rows on the 2-core reference machine: about 4 s of
# CPU for the xlsx and 5 s for the PDF, 6–7 MB of PDF, and some 130 MB more memory
# for the PDF (reportlab keeps the pages until it writes the file). So a busy register
# year downloads directly, no background job. Twice that still fits a web worker's
# 120 s timeout and memory; past it, the clerk exports the year in parts.
EXPORT_ROW_CAP = 40_000
_SPOOL_BYTES = 16 * 1024 * 1024
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Aware datetimes in Vietnam time must still convert to UTC for the query.
_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9998, 12, 31)


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    PDF = "pdf", "PDF để in"


CONTENT_TYPES = {ExportFormat.XLSX: XLSX_CONTENT_TYPE, ExportFormat.PDF: PDF_CONTENT_TYPE}

# The minimum columns of App IV, in order (domain.md §3.3 "Printed registers").
COLUMNS: tuple[str, ...] = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
TITLE = "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"


# --- Input -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date

    def as_data(self) -> dict[str, str]:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}


def parse_date(value: str | None, field: str) -> dt.date | None:
    """A date as the API and links carry it (YYYY-MM-DD); empty means "not given"."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        if not _DATE_RE.match(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            "invalid_date",
            f"Ngày «{str(value)[:40]}» không hợp lệ: hãy ghi theo dạng YYYY-MM-DD, ví dụ 2025-01-31.",
            field,
        ) from None


def parse_format(value: str | None) -> ExportFormat:
    text = (value or "").strip().lower()
    if text not in ExportFormat.values:
        raise ValidationFailed(
            "unknown_format",
            f"Định dạng «{(value or '')[:20]}» không được hỗ trợ: chọn xlsx (Excel) hoặc pdf (bản in).",
            "format",
        )
    return ExportFormat(text)


def period_for(register: Register, date_from: dt.date | None, date_to: dt.date | None) -> Period:
    """The period asked for; a missing end is the start or end of the register's year."""
    start = date_from or dt.date(register.year, 1, 1)
    end = date_to or max(dt.date(register.year, 12, 31), start)
    if start > end:
        raise ValidationFailed(
            "invalid_period",
            f"Từ ngày ({start:%d/%m/%Y}) phải trước hoặc bằng đến ngày ({end:%d/%m/%Y}).",
            "to",
        )
    return Period(start, end)


# --- Reads ---------------------------------------------------------------------------------


def exportable_registers(user: Any) -> QuerySet[Register]:
    """Incoming registers holding at least one document the user may read."""
    visible = incoming_visible_to(user).filter(register=OuterRef("pk"))
    return (
        Register.objects.filter(kind=Register.Kind.INCOMING)
        .filter(Exists(visible.order_by().values("pk")))
        .select_related("organ", "unit")
        .order_by("-year", "unit__path", "name", "pk")
    )


def get_exportable_register(user: Any, pk: Any) -> Register:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("Không tìm thấy sổ văn bản đến.") from None
    register = exportable_registers(user).filter(pk=pk).first()
    if register is None:
        raise NotFound("Không tìm thấy sổ văn bản đến.")
    return register


def register_entries(user: Any, register: Register, period: Period) -> QuerySet[IncomingDocument]:
    """The register's documents the user may read that arrived in the period (Vietnam
    time), in register order. Bounds are instants, so the arrival-date index serves."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(max(period.date_from, _EARLIEST), dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(min(period.date_to, _LATEST), dt.time.max, tzinfo=tz)
    return (
        incoming_visible_to(user)
        .filter(register=register, arrival_date__gte=start, arrival_date__lte=end)
        .order_by("arrival_number", "pk")
    )


# --- What both formats print ------------------------------------------------------------


@dataclass(frozen=True)
class RegisterSheet:
    """The cover and title block: whose register, which year, period and numbers."""

    organ_name: str
    unit_name: str
    register_name: str
    year: int
    period: Period
    first_number: int | None
    last_number: int | None
    count: int
    printed_at: dt.datetime
    printed_by: str

    @property
    def numbers_text(self) -> str:
        if self.first_number is None:
            return "Không có văn bản nào trong khoảng thời gian này"
        return f"Từ số {self.first_number} đến số {self.last_number}"

    @property
    def period_text(self) -> str:
        return f"Từ ngày {self.period.date_from:%d/%m/%Y} đến ngày {self.period.date_to:%d/%m/%Y}"


@dataclass(frozen=True)
class RegisterRow:
    arrival_date: dt.datetime  # Vietnam time, naive (what the reader's calendar says)
    arrival_number: int
    author: str
    number_symbol: str
    issued_date: dt.date
    type_name: str
    subject: str
    recipients: str
    transferred_on: dt.date | None
    note: str


def _note(doc: IncomingDocument) -> str:
    parts = []
    if doc.urgency != Urgency.NORMAL:
        parts.append(doc.get_urgency_display())
    if doc.due_date:
        parts.append(f"Hạn giải quyết: {doc.due_date:%d/%m/%Y}")
    if doc.description:
        parts.append(doc.description)
    return "; ".join(parts)


def to_row(doc: IncomingDocument) -> RegisterRow:
    return RegisterRow(
        arrival_date=timezone.localtime(doc.arrival_date).replace(tzinfo=None),
        arrival_number=doc.arrival_number,
        author=doc.issuing_organ.name,
        number_symbol=doc.number_symbol,
        issued_date=doc.issued_date,
        type_name=doc.document_type.base_name,
        subject=doc.subject,
        recipients=doc.to_places,
        # Ngày chuyển is written when the document is handed on; distribution is not
        # recorded yet, so the column stays for the clerk's pen.
        transferred_on=None,
        note=_note(doc),
    )


def sheet_for(register: Register, period: Period, docs: QuerySet[IncomingDocument], *, actor: Any) -> RegisterSheet:
    totals = docs.aggregate(n=Count("pk"), first=Min("arrival_number"), last=Max("arrival_number"))
    unit_name = ""
    if register.unit_id:
        # The unit's name as it was at the end of the period (units get renamed).
        unit_name = register.unit.name_at(min(period.date_to, timezone.localdate()))
    return RegisterSheet(
        organ_name=register.organ.name,
        unit_name=unit_name,
        register_name=register.name,
        year=register.year,
        period=period,
        first_number=totals["first"],
        last_number=totals["last"],
        count=totals["n"],
        printed_at=timezone.localtime().replace(tzinfo=None, microsecond=0),
        printed_by=person_name(actor),
    )


def iter_rows(docs: QuerySet[IncomingDocument]) -> Iterator[RegisterRow]:
    for doc in docs.iterator(chunk_size=2000):
        yield to_row(doc)


# --- Excel ---------------------------------------------------------------------------------

_XLSX_WIDTHS = (17, 8, 30, 20, 12, 60, 26, 12, 12, 26)
_THIN = Side(style="thin", color="000000")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP_CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")
_HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_HEAD_FONT = Font(name="Times New Roman", bold=True, size=11)
_BODY_FONT = Font(name="Times New Roman", size=11)
_HEADER_ROW = 6  # rows 1–5 are the title block; 6 the headings, 7 the column numbers
_FIRST_DATA_ROW = 8
# Named styles, because giving each of 200 000 cells its font, border and alignment
# one by one costs openpyxl a hash of every style object per cell (4× slower).
_STYLES = {
    "so-vb-tieu-de-cot": (_HEAD_FONT, _HEAD_ALIGN, "General"),
    "so-vb-o": (_BODY_FONT, _TOP_WRAP, "General"),
    "so-vb-o-giua": (_BODY_FONT, _TOP_CENTER, "General"),
    "so-vb-ngay-gio": (_BODY_FONT, _TOP_CENTER, "dd/mm/yyyy hh:mm"),
    "so-vb-ngay": (_BODY_FONT, _TOP_CENTER, "dd/mm/yyyy"),
}
# Per column: Ngày đến, Số đến, Tác giả, Số ký hiệu, Ngày văn bản, Trích yếu, Nơi nhận,
# Ngày chuyển, Ký nhận, Ghi chú.
_COLUMN_STYLES = ("so-vb-ngay-gio", "so-vb-o-giua", "so-vb-o", "so-vb-o", "so-vb-ngay", "so-vb-o", "so-vb-o",
                  "so-vb-ngay", "so-vb-o", "so-vb-o")  # fmt: skip


def _styled(ws: Any, value: Any, style: str) -> Any:
    c = cell(ws, value)
    c.style = style
    return c


def _title(ws: Any, value: str, font: Font, align: Alignment) -> Any:
    c = cell(ws, value)
    c.font = font
    c.alignment = align
    return c


def build_register_xlsx(sheet: RegisterSheet, rows: Iterable[RegisterRow]) -> IO[bytes]:
    """The register as one worksheet laid out like the printed book: title block,
    headings and column numbers repeated on every printed page, frozen under the
    headings, landscape A4 fitted to the page width."""
    wb = Workbook(write_only=True)
    for name, (font, align, number_format) in _STYLES.items():
        wb.add_named_style(NamedStyle(name, font=font, alignment=align, border=_GRID, number_format=number_format))
    ws = wb.create_sheet("Sổ văn bản đến")
    for i, width in enumerate(_XLSX_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    last_col = get_column_letter(len(COLUMNS))
    ws.freeze_panes = f"A{_FIRST_DATA_ROW}"
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True

    title_rows = [
        (sheet.organ_name.upper(), Font(name="Times New Roman", bold=not sheet.unit_name, size=12)),
        (sheet.unit_name.upper(), Font(name="Times New Roman", bold=True, size=12)),
        (TITLE, Font(name="Times New Roman", bold=True, size=16)),
        (f"Năm {sheet.year} — {sheet.period_text} — {sheet.numbers_text}", Font(name="Times New Roman", size=12)),
        (f"{sheet.register_name}. In ngày {sheet.printed_at:%d/%m/%Y %H:%M}, người in: {sheet.printed_by}; "
         f"{sheet.count} văn bản.", Font(name="Times New Roman", italic=True, size=10)),
    ]  # fmt: skip
    for row_index, (text, font) in enumerate(title_rows, start=1):
        align = _HEAD_ALIGN if row_index >= 3 else Alignment(horizontal="left")
        ws.append([_title(ws, text, font, align)])
        ws.merged_cells.add(f"A{row_index}:{last_col}{row_index}")
    ws.append([_styled(ws, title, "so-vb-tieu-de-cot") for title in COLUMNS])
    ws.append([_styled(ws, f"({i})", "so-vb-tieu-de-cot") for i in range(1, len(COLUMNS) + 1)])

    for row in rows:
        values = (
            row.arrival_date,
            row.arrival_number,
            row.author,
            row.number_symbol,
            row.issued_date,
            f"{row.type_name}\n{row.subject}",
            row.recipients,
            row.transferred_on,
            "",
            row.note,
        )
        ws.append([_styled(ws, value, style) for value, style in zip(values, _COLUMN_STYLES, strict=True)])
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (returned open)
    wb.save(spool)
    spool.seek(0)
    return spool


# --- The export service -------------------------------------------------------------------


@dataclass
class RegisterExport:
    file: IO[bytes]
    filename: str
    content_type: str
    rows: int


def export_register(
    *,
    actor: Any,
    register: Register,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    fmt: str = ExportFormat.XLSX,
) -> RegisterExport:
    """Build the register of `register` for the period in `fmt` with the rows the actor
    may read, then record `incoming.register_exported`. The caller has looked the
    register up through `get_exportable_register` (404 outside the actor's reach)."""
    export_format = parse_format(fmt)
    period = period_for(register, date_from, date_to)
    docs = register_entries(actor, register, period)
    sheet = sheet_for(register, period, docs, actor=actor)
    if sheet.count > EXPORT_ROW_CAP:
        raise ValidationFailed(
            "too_many_rows",
            f"Khoảng thời gian đã chọn có {sheet.count} văn bản, vượt quá {EXPORT_ROW_CAP} văn bản mỗi lần xuất: "
            "hãy chia thành các khoảng ngắn hơn.",
            "from",
        )
    if export_format == ExportFormat.XLSX:
        file = build_register_xlsx(sheet, iter_rows(docs))
    else:
        from vanban.incoming.printing import build_register_pdf

        file = build_register_pdf(sheet, iter_rows(docs))
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="incoming.register_exported",
            target=register,
            data={
                "register": register.pk,
                "register_name": register.name,
                **period.as_data(),
                "count": sheet.count,
                "format": export_format.value,
            },
        )
    name = f"so-van-ban-den-{register.year}-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}-{stamp()}"
    return RegisterExport(file, f"{name}.{export_format.value}", CONTENT_TYPES[export_format], sheet.count)


@transaction.atomic
def print_receipt(*, actor: Any, document: IncomingDocument) -> bytes:
    """The receipt slip of a document the actor may read (looked up through
    `get_incoming_for`); the printing is recorded as `incoming.receipt_printed`."""
    from vanban.incoming.printing import build_receipt_pdf

    content = build_receipt_pdf(document, printed_by=person_name(actor))
    audit.record(
        actor=actor,
        action="incoming.receipt_printed",
        target=document,
        data={"arrival_number": document.arrival_number, "register": document.register_id},
    )
    return content
