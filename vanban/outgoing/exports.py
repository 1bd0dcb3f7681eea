"""Sổ đăng ký văn bản đi (ND30 App IV) for a period, as an Excel workbook or a
print-ready PDF; the layout machinery is shared with the incoming register
(`documents.register_exports`, `documents.register_printing`).

What a row is: every document issued in the register (status issued or recalled) with
its date of issue in the period, in number order. A recalled document keeps its line
and number, with "Đã thu hồi: <lý do>" in Ghi chú (numbers are never reused). Who may
export: whoever may read the register's documents; every row goes through
`outgoing_visible_to`, and a register with nothing they may read answers 404. Each
export is audited as `outgoing.register_exported`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from vanban.documents.catalogue import Urgency
from vanban.documents.models import Register
from vanban.documents.register_exports import CENTERED, DATE, TEXT, Period, RegisterBook, RegisterSource
from vanban.outgoing.models import OutgoingDocument, Recipient
from vanban.outgoing.selectors import outgoing_visible_to

ISSUED_STATUSES = (OutgoingDocument.Status.ISSUED, OutgoingDocument.Status.RECALLED)

# App IV "Sổ đăng ký văn bản đi", in order (domain.md §4.7).
COLUMNS = ("Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản", "Người ký",
           "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận",
           "Ghi chú")  # fmt: skip
BOOK = RegisterBook(
    kind=Register.Kind.OUTGOING,
    title="SỔ ĐĂNG KÝ VĂN BẢN ĐI",
    sheet_name="Sổ văn bản đi",
    file_stem="so-van-ban-di",
    audit_action="outgoing.register_exported",
    not_found="Không tìm thấy sổ văn bản đi.",
    empty_text="Không có văn bản đi nào trong khoảng thời gian này.",
    number_field="number",
    columns=COLUMNS,
    xlsx_widths=(18, 12, 60, 24, 32, 24, 9, 12, 12, 30),
    xlsx_styles=(TEXT, DATE, TEXT, TEXT, TEXT, TEXT, CENTERED, DATE, TEXT, TEXT),
    pdf_weights=(84, 54, 176, 84, 108, 84, 36, 54, 46, 78),  # "1234/BCT-TMĐT" fits on one line
    pdf_centered=frozenset({1, 6, 7}),
)
TITLE = BOOK.title


# --- Reads ---------------------------------------------------------------------------------


def issued_visible_to(user: Any) -> QuerySet[OutgoingDocument]:
    return outgoing_visible_to(user).filter(status__in=ISSUED_STATUSES)


def register_entries(user: Any, register: Register, period: Period) -> QuerySet[OutgoingDocument]:
    """The register's issued documents the user may read dated in the period, in number
    order, joined to what a row prints (only that: each joined row costs a model)."""
    return (
        issued_visible_to(user)
        .filter(register=register, issued_date__gte=period.date_from, issued_date__lte=period.date_to)
        .select_related(None)
        .select_related("document_type", "drafting_unit", "signer", "relates_to")
        .order_by("number", "pk")
    )


@dataclass
class _Recipients:
    labels: list[str] = field(default_factory=list)
    first_delivered: dt.datetime | None = None


def _recipients_of(doc_ids: list[int]) -> dict[int, _Recipients]:
    """Nơi nhận and first delivery of a chunk of documents in one query of plain
    tuples (a prefetch would build four models per recipient)."""
    found: dict[int, _Recipients] = {}
    rows = (
        Recipient.objects.filter(document_id__in=doc_ids)
        .order_by("document_id", "pk")
        .values_list("document_id", "unit__name", "user__full_name", "user__username", "organ__name", "email",
                     "delivered_at")
    )
    for doc_id, unit, full_name, username, organ, email, delivered_at in rows:
        entry = found.setdefault(doc_id, _Recipients())
        # As Recipient.label: the unit, else the person, else the external organ, else the address.
        entry.labels.append(unit or full_name or username or organ or email or "")
        if delivered_at is not None and (entry.first_delivered is None or delivered_at < entry.first_delivered):
            entry.first_delivered = delivered_at
    return found


# --- One row ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    number: int
    number_symbol: str
    issued_date: dt.date | None  # always set on issue; the period filters on it
    type_name: str
    subject: str
    signer: str
    signer_position: str
    recipients: str
    kept_by: str
    copies: int | None
    transferred_on: dt.date | None
    note: str


def _note(doc: OutgoingDocument) -> str:
    parts = []
    if doc.status == OutgoingDocument.Status.RECALLED:
        parts.append(f"Đã thu hồi: {doc.recall_reason}" if doc.recall_reason else "Đã thu hồi")
    if doc.relates_to is not None and doc.relation != OutgoingDocument.Relation.NEW:
        verb = "Thay thế" if doc.relation == OutgoingDocument.Relation.REPLACE else "Cập nhật"
        parts.append(f"{verb} văn bản số {doc.relates_to.number_symbol}")
    if doc.urgency != Urgency.NORMAL:
        parts.append(doc.get_urgency_display())
    if doc.restricted:
        parts.append("Hạn chế công bố")
    return "; ".join(parts)


def to_row(doc: OutgoingDocument, recipients: _Recipients) -> RegisterRow:
    delivered = recipients.first_delivered
    return RegisterRow(
        number=doc.number or 0,
        number_symbol=doc.number_symbol,
        issued_date=doc.issued_date,
        type_name=doc.document_type.base_name,
        subject=doc.subject,
        signer=(doc.signer.full_name or doc.signer.username) if doc.signer else "",
        signer_position=doc.signer_position,
        # The structured recipients; the free "Nơi nhận" text when there are none.
        recipients="; ".join(recipients.labels) or doc.to_places,
        # Besides the Văn thư's original, the copy kept on file goes to the drafting unit.
        kept_by=doc.drafting_unit.name,
        # Paper copies are not recorded: the column stays for the clerk's pen.
        copies=None,
        # Handed on when the first recipient received it inside the system.
        transferred_on=timezone.localdate(delivered) if delivered else None,
        note=_note(doc),
    )


def to_rows(docs: list[OutgoingDocument]) -> list[RegisterRow]:
    recipients = _recipients_of([doc.pk for doc in docs])
    return [to_row(doc, recipients.get(doc.pk, _Recipients())) for doc in docs]


def xlsx_values(row: RegisterRow) -> tuple[Any, ...]:
    signer = f"{row.signer}\n{row.signer_position}" if row.signer_position else row.signer
    return (
        row.number_symbol,
        row.issued_date,
        f"{row.type_name}\n{row.subject}",
        signer,
        row.recipients,
        row.kept_by,
        row.copies,
        row.transferred_on,
        "",
        row.note,
    )


SOURCE = RegisterSource(
    BOOK, issued_visible_to, register_entries, to_rows, xlsx_values, "vanban.outgoing.printing.build_register_pdf"
)

# The service functions, as for the incoming register: the outgoing registers holding
# an issued document the user may read; one of them or NotFound; the export itself
# (period by date of issue, audited as `outgoing.register_exported`).
exportable_registers = SOURCE.registers
get_exportable_register = SOURCE.get
export_register = SOURCE.export
