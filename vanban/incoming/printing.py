"""Print-ready PDFs of incoming documents: the Sổ đăng ký văn bản đến in the App IV
layout (the shared `documents.register_printing`: cover, then a ruled table whose
headings repeat on every page, page numbers) and the receipt slip of one document.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vanban.core.pdf import FONT, FONT_BOLD, FONT_ITALIC, register_fonts
from vanban.documents import register_printing
from vanban.documents.register_printing import Fit, Lines
from vanban.incoming.exports import BOOK, RegisterRow, RegisterSheet
from vanban.incoming.models import IncomingDocument

# --- The register ------------------------------------------------------------------------


def _cells(row: RegisterRow, fit: Fit) -> list[Lines]:
    arrival = [(FONT, f"{row.arrival_date:%d/%m/%Y}"), (FONT, f"{row.arrival_date:%H:%M}")]
    transferred = [(FONT, f"{row.transferred_on:%d/%m/%Y}")] if row.transferred_on else []
    return [
        arrival,
        [(FONT_BOLD, str(row.arrival_number))],
        fit(row.author, 2),
        fit(row.number_symbol, 3),
        [(FONT, f"{row.issued_date:%d/%m/%Y}")],
        fit(row.type_name, 5, FONT_BOLD) + fit(row.subject, 5),
        fit(row.recipients, 6),
        transferred,
        [],
        fit(row.note, 9),
    ]


def build_register_pdf(sheet: RegisterSheet, rows: Iterable[RegisterRow]) -> IO[bytes]:
    """The Sổ đăng ký văn bản đến for binding (cover, then the App IV table)."""
    return register_printing.build_register_pdf(BOOK, sheet, rows, _cells)


# --- The receipt slip ----------------------------------------------------------------------


def _style(
    name: str, *, size: float = 10, font: str = FONT, align: int = 0, leading: float | None = None
) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.3, alignment=align)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def build_receipt_pdf(document: IncomingDocument, *, printed_by: str) -> bytes:
    """Giấy biên nhận văn bản đến (A5 portrait): who received what and when, with the
    lines the person handing it over and the clerk sign."""
    register_fonts()
    out = io.BytesIO()
    page_width = A5[0] - 24 * mm
    doc = SimpleDocTemplate(
        out,
        pagesize=A5,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"Giấy biên nhận văn bản đến số {document.arrival_number}",
        author=document.register.organ.name,
        creator="vanban",
    )
    center = _style("c", size=8, align=1)
    center_bold = _style("cb", size=8, font=FONT_BOLD, align=1)
    register = document.register
    arrival = timezone.localtime(document.arrival_date)
    owner = [_p(register.organ.name.upper(), center if register.unit_id else center_bold)]
    if register.unit_id:
        owner.append(_p(register.unit.name_at(arrival.date()).upper(), center_bold))
    owner.append(_p("______", center))
    nation = [
        _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", center_bold),
        _p("Độc lập - Tự do - Hạnh phúc", center_bold),
        _p("______________", center),
    ]
    header = Table([[owner, nation]], colWidths=[page_width * 0.38, page_width * 0.62])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))  # fmt: skip

    label = _style("l", size=9, font=FONT_BOLD)
    value = _style("v", size=9)
    fields = [
        ("Sổ văn bản", register.name),
        ("Số đến", str(document.arrival_number)),
        ("Ngày đến", f"{arrival:%d/%m/%Y} lúc {arrival:%H:%M}"),
        ("Cơ quan ban hành", document.issuing_organ.name),
        ("Loại văn bản", document.document_type.base_name),
        ("Số, ký hiệu", document.number_symbol or "—"),
        ("Ngày văn bản", f"{document.issued_date:%d/%m/%Y}"),
        ("Trích yếu", document.subject),
        ("Số trang", str(document.page_amount) if document.page_amount else "—"),
        ("Độ khẩn", document.get_urgency_display()),
        ("Phương thức nhận", document.get_receipt_method_display()),
        ("Đơn vị hoặc người nhận", document.to_places or "................................................"),
    ]
    if document.due_date:
        fields.append(("Hạn giải quyết", f"{document.due_date:%d/%m/%Y}"))
    details = Table([[_p(f"{k}:", label), _p(v, value)] for k, v in fields], colWidths=[46 * mm, page_width - 46 * mm])
    details.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5), ("TOPPADDING", (0, 0), (-1, -1), 0),
                                 ("RIGHTPADDING", (0, 0), (-1, -1), 4)]))  # fmt: skip

    clerk = document.registered_by
    clerk_name = getattr(clerk, "full_name", "") or clerk.get_username()
    note = _style("n", size=8, font=FONT_ITALIC, align=1)
    signatures = Table(
        [
            [_p("NGƯỜI GIAO VĂN BẢN", center_bold), _p("VĂN THƯ NHẬN", center_bold)],
            [_p("(Ký, ghi rõ họ tên)", note), _p("(Ký, ghi rõ họ tên)", note)],
            [Spacer(1, 16 * mm), Spacer(1, 16 * mm)],
            ["", _p(clerk_name, center_bold)],
        ],
        colWidths=[page_width / 2, page_width / 2],
    )
    signatures.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        header,
        Spacer(1, 6 * mm),
        _p("GIẤY BIÊN NHẬN VĂN BẢN ĐẾN", _style("t", size=13, font=FONT_BOLD, align=1)),
        Spacer(1, 5 * mm),
        details,
        Spacer(1, 4 * mm),
        _p(f"Ngày {arrival.day:02d} tháng {arrival.month:02d} năm {arrival.year}", _style("d", size=9.5,
                                                                                         font=FONT_ITALIC, align=2)),
        Spacer(1, 2 * mm),
        signatures,
        Spacer(1, 4 * mm),
        _p(f"In lúc {timezone.localtime():%d/%m/%Y %H:%M}, người in: {printed_by}", _style("f", size=7,
                                                                                         font=FONT_ITALIC)),
    ]  # fmt: skip
    doc.build(story)
    return out.getvalue()
