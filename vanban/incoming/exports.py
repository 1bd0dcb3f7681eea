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
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from vanban.audit import services as audit
from vanban.audit.display import person_name
from vanban.audit.exports import XLSX_CONTENT_TYPE as XLSX_CONTENT_TYPE  # re-exported for callers
from vanban.documents import register_exports as shared
from vanban.documents.catalogue import Urgency
from vanban.documents.models import Register
from vanban.documents.register_exports import (
    CENTERED,
    DATE,
    DATETIME,
    EXPORT_ROW_CAP,
    TEXT,
    ExportFormat,
    Period,
    RegisterBook,
    RegisterExport,
)

# What callers (web, API, bench, tests) have always reached through this module.
from vanban.documents.register_exports import CONTENT_TYPES as CONTENT_TYPES
from vanban.documents.register_exports import PDF_CONTENT_TYPE as PDF_CONTENT_TYPE
from vanban.documents.register_exports import RegisterSheet as RegisterSheet
from vanban.documents.register_exports import parse_date as parse_date
from vanban.documents.register_exports import parse_format as parse_format
from vanban.incoming.models import IncomingDocument
from vanban.incoming.selectors import incoming_visible_to

# Aware datetimes in Vietnam time must still convert to UTC for the query.
_EARLIEST = dt.date(1900, 1, 1)
_LATEST = dt.date(9998, 12, 31)

BOOK = RegisterBook(
    kind=Register.Kind.INCOMING,
    title="SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
    sheet_name="Sổ văn bản đến",
    file_stem="so-van-ban-den",
    audit_action="incoming.register_exported",
    not_found="Không tìm thấy sổ văn bản đến.",
    empty_text="Không có văn bản đến nào trong khoảng thời gian này.",
    number_field="arrival_number",
    # The minimum columns of App IV, in order (domain.md §3.3 "Printed registers").
    columns=(
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
    ),
    xlsx_widths=(17, 8, 30, 20, 12, 60, 26, 12, 12, 26),
    xlsx_styles=(DATETIME, CENTERED, TEXT, TEXT, DATE, TEXT, TEXT, DATE, TEXT, TEXT),
    pdf_weights=(60, 36, 112, 80, 54, 190, 92, 50, 46, 72),
    pdf_centered=frozenset({0, 1, 4, 7}),
)
COLUMNS = BOOK.columns
TITLE = BOOK.title


# --- Reads ---------------------------------------------------------------------------------


def exportable_registers(user: Any) -> QuerySet[Register]:
    """Incoming registers holding at least one document the user may read."""
    return SOURCE.registers(user)


def get_exportable_register(user: Any, pk: Any) -> Register:
    return SOURCE.get(user, pk)


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


# --- One row ---------------------------------------------------------------------------------


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


def xlsx_values(row: RegisterRow) -> tuple[Any, ...]:
    return (
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


def to_rows(docs: list[IncomingDocument]) -> list[RegisterRow]:
    return [to_row(doc) for doc in docs]


SOURCE = shared.RegisterSource(
    BOOK, incoming_visible_to, register_entries, to_rows, xlsx_values, "vanban.incoming.printing.build_register_pdf"
)


# --- The export service -------------------------------------------------------------------


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
    return SOURCE.export(
        actor=actor, register=register, date_from=date_from, date_to=date_to, fmt=fmt, cap=EXPORT_ROW_CAP
    )


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
