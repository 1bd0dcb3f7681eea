"""What the printed registers (ND30 App IV) of incoming and outgoing documents share:
the period and format asked for, the cover block, the Excel workbook laid out like the
bound book, the row cap and the audited export itself.

Each kind describes its book once (`RegisterBook`: title, columns, widths, audit
action) and supplies its rows; `vanban.incoming.exports` and `vanban.outgoing.exports`
hold the rules of which documents a register shows and what goes in each column. Rows
stream from the database (`iterator()`) into openpyxl's write-only mode or straight onto
reportlab's canvas (`register_printing`), so a register year of 20 000 documents keeps
memory flat.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any, Generic, TypeVar

from django.db import models, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from vanban.audit import services as audit
from vanban.audit.display import person_name
from vanban.audit.exports import XLSX_CONTENT_TYPE, cell, stamp
from vanban.core.errors import NotFound, ValidationFailed
from vanban.documents.models import Register

PDF_CONTENT_TYPE = "application/pdf"
# bench/incoming_exports.py, 20 000 rows on the 2-core reference machine: about 4 s of
# CPU for the xlsx and 5 s for the PDF, 6–7 MB of PDF, and some 130 MB more memory
# for the PDF (reportlab keeps the pages until it writes the file). So a busy register
# year downloads directly, no background job. Twice that still fits a web worker's
# 120 s timeout and memory; past it, the clerk exports the year in parts.
EXPORT_ROW_CAP = 40_000
_SPOOL_BYTES = 16 * 1024 * 1024
_CHUNK = 2000
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Row = TypeVar("Row")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    PDF = "pdf", "PDF để in"


CONTENT_TYPES = {ExportFormat.XLSX: XLSX_CONTENT_TYPE, ExportFormat.PDF: PDF_CONTENT_TYPE}


@dataclass(frozen=True)
class RegisterBook:
    """One kind of printed register: its App IV columns and how they are laid out."""

    kind: str  # Register.Kind
    title: str  # "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
    sheet_name: str  # the worksheet's tab
    file_stem: str  # "so-van-ban-den"
    audit_action: str
    not_found: str  # the 404 message
    empty_text: str  # the PDF's table when the period holds nothing
    number_field: str  # the model field the register numbers run on
    columns: tuple[str, ...]
    xlsx_widths: tuple[int, ...]
    xlsx_styles: tuple[str, ...]  # per column, a key of _STYLES
    pdf_weights: tuple[int, ...]  # relative column widths on the printed page
    pdf_centered: frozenset[int]


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


# --- Which registers --------------------------------------------------------------------


def registers_with(book: RegisterBook, visible: QuerySet[Any]) -> QuerySet[Register]:
    """Registers of the book's kind holding at least one of `visible` (a queryset of
    documents with a `register` foreign key, already limited to what the user may read)."""
    holding = visible.filter(register=OuterRef("pk")).order_by().values("pk")
    return (
        Register.objects.filter(kind=book.kind)
        .filter(Exists(holding))
        .select_related("organ", "unit")
        .order_by("-year", "unit__path", "name", "pk")
    )


def get_register(book: RegisterBook, registers: QuerySet[Register], pk: Any) -> Register:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(book.not_found) from None
    register = registers.filter(pk=pk).first()
    if register is None:
        raise NotFound(book.not_found)
    return register


# --- The cover ------------------------------------------------------------------------------


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


def sheet_for(
    book: RegisterBook, register: Register, period: Period, docs: QuerySet[Any], *, actor: Any
) -> RegisterSheet:
    number = book.number_field
    totals = docs.aggregate(n=Count("pk"), first=Min(number), last=Max(number))
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


# --- Excel ---------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_GRID = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOP_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP_CENTER = Alignment(wrap_text=True, vertical="top", horizontal="center")
_HEAD_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_HEAD_FONT = Font(name="Times New Roman", bold=True, size=11)
_BODY_FONT = Font(name="Times New Roman", size=11)
_HEADER_ROW = 6  # rows 1–5 are the title block; 6 the headings, 7 the column numbers
FIRST_DATA_ROW = 8
# Named styles, because giving each of 200 000 cells its font, border and alignment
# one by one costs openpyxl a hash of every style object per cell (4× slower).
HEADING = "so-vb-tieu-de-cot"
TEXT = "so-vb-o"
CENTERED = "so-vb-o-giua"
DATETIME = "so-vb-ngay-gio"
DATE = "so-vb-ngay"
_STYLES = {
    HEADING: (_HEAD_FONT, _HEAD_ALIGN, "General"),
    TEXT: (_BODY_FONT, _TOP_WRAP, "General"),
    CENTERED: (_BODY_FONT, _TOP_CENTER, "General"),
    DATETIME: (_BODY_FONT, _TOP_CENTER, "dd/mm/yyyy hh:mm"),
    DATE: (_BODY_FONT, _TOP_CENTER, "dd/mm/yyyy"),
}


def _styled(ws: Any, value: Any, style: str) -> Any:
    c = cell(ws, value)
    c.style = style
    return c


def _title(ws: Any, value: str, font: Font, align: Alignment) -> Any:
    c = cell(ws, value)
    c.font = font
    c.alignment = align
    return c


def build_register_xlsx(book: RegisterBook, sheet: RegisterSheet, rows: Iterable[Sequence[Any]]) -> IO[bytes]:
    """The register as one worksheet laid out like the printed book: title block,
    headings and column numbers repeated on every printed page, frozen under the
    headings, landscape A4 fitted to the page width. `rows` are the cell values in
    column order."""
    wb = Workbook(write_only=True)
    for name, (font, align, number_format) in _STYLES.items():
        wb.add_named_style(NamedStyle(name, font=font, alignment=align, border=_GRID, number_format=number_format))
    ws = wb.create_sheet(book.sheet_name)
    for i, width in enumerate(book.xlsx_widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    last_col = get_column_letter(len(book.columns))
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
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
        (book.title, Font(name="Times New Roman", bold=True, size=16)),
        (f"Năm {sheet.year} — {sheet.period_text} — {sheet.numbers_text}", Font(name="Times New Roman", size=12)),
        (f"{sheet.register_name}. In ngày {sheet.printed_at:%d/%m/%Y %H:%M}, người in: {sheet.printed_by}; "
         f"{sheet.count} văn bản.", Font(name="Times New Roman", italic=True, size=10)),
    ]  # fmt: skip
    for row_index, (text, font) in enumerate(title_rows, start=1):
        align = _HEAD_ALIGN if row_index >= 3 else Alignment(horizontal="left")
        ws.append([_title(ws, text, font, align)])
        ws.merged_cells.add(f"A{row_index}:{last_col}{row_index}")
    ws.append([_styled(ws, title, HEADING) for title in book.columns])
    ws.append([_styled(ws, f"({i})", HEADING) for i in range(1, len(book.columns) + 1)])

    styles = book.xlsx_styles
    for values in rows:
        ws.append([_styled(ws, value, style) for value, style in zip(values, styles, strict=True)])
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


@dataclass(frozen=True)
class RegisterSource(Generic[Row]):
    """One kind of register: its book and where its rows come from. The kind's module
    exposes `registers`, `get` and `export` as its service functions."""

    book: RegisterBook
    visible: Callable[[Any], QuerySet[Any]]  # the documents a user may read
    entries: Callable[[Any, Register, Period], QuerySet[Any]]  # (user, register, period) -> rows in order
    to_rows: Callable[[list[Any]], Iterable[Row]]  # a chunk of documents, in order -> their rows
    xlsx_values: Callable[[Row], Sequence[Any]]
    pdf_builder: str  # dotted path of (sheet, rows) -> PDF, imported only when printing

    def registers(self, user: Any) -> QuerySet[Register]:
        """Registers of this kind holding at least one document the user may read."""
        return registers_with(self.book, self.visible(user))

    def get(self, user: Any, pk: Any) -> Register:
        """A register the user may export, or NotFound."""
        return get_register(self.book, self.registers(user), pk)

    def export(
        self,
        *,
        actor: Any,
        register: Register,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        fmt: str = ExportFormat.XLSX,
        cap: int | None = None,
    ) -> RegisterExport:
        """Build the register for the period in `fmt` with the rows the actor may read,
        then record the book's audit action. The caller has looked the register up
        through `get` (404 outside the actor's reach). `cap` defaults to EXPORT_ROW_CAP."""
        book = self.book
        export_format = parse_format(fmt)
        period = period_for(register, date_from, date_to)
        docs = self.entries(actor, register, period)
        sheet = sheet_for(book, register, period, docs, actor=actor)
        cap = EXPORT_ROW_CAP if cap is None else cap
        if sheet.count > cap:
            raise ValidationFailed(
                "too_many_rows",
                f"Khoảng thời gian đã chọn có {sheet.count} văn bản, vượt quá {cap} văn bản mỗi lần xuất: "
                "hãy chia thành các khoảng ngắn hơn.",
                "from",
            )

        def rows() -> Iterator[Row]:
            # Chunks, so a kind can fetch what its rows need once per chunk (not per row).
            stream = docs.iterator(chunk_size=_CHUNK)
            while chunk := list(islice(stream, _CHUNK)):
                yield from self.to_rows(chunk)

        if export_format == ExportFormat.XLSX:
            file = build_register_xlsx(book, sheet, map(self.xlsx_values, rows()))
        else:
            file = import_string(self.pdf_builder)(sheet, rows())
        with transaction.atomic():
            audit.record(
                actor=actor,
                action=book.audit_action,
                target=register,
                data={
                    "register": register.pk,
                    "register_name": register.name,
                    **period.as_data(),
                    "count": sheet.count,
                    "format": export_format.value,
                },
            )
        name = f"{book.file_stem}-{register.year}-{period.date_from:%Y%m%d}-{period.date_to:%Y%m%d}-{stamp()}"
        return RegisterExport(file, f"{name}.{export_format.value}", CONTENT_TYPES[export_format], sheet.count)
