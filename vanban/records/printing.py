"""Mục lục văn bản trong hồ sơ (App VI V) as a PDF: the file's record fields, then one
row per document in filing order. Fonts ship with the code (core.pdf), nothing downloaded."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vanban.core.pdf import FONT, FONT_BOLD, register_fonts
from vanban.core.timeutil import format_date
from vanban.records.models import Dossier

HEADERS = ["STT", "Số, ký hiệu", "Ngày tháng", "Tác giả", "Trích yếu nội dung", "Tờ/trang số", "Ghi chú"]


def contents_rows(dossier: Dossier) -> list[dict[str, Any]]:
    """The table of contents: one row per document, pages numbered through the file."""
    from vanban.records.package import dossier_metadata

    rows, first = [], 1
    for doc in dossier_metadata(dossier)["Documents"]:
        pages = int(doc.get("PageAmount") or 0)
        number = "/".join(x for x in (str(doc.get("CodeNumber") or ""), str(doc.get("CodeNotation") or "")) if x)
        issued = doc.get("IssuedDate") or ""
        if issued:
            y, m, d = issued[:10].split("-")
            issued = f"{d}/{m}/{y}"
        rows.append({
            "ordinal": doc.get("DocOrdinal"), "number": number, "date": issued, "author": doc.get("OrganName", ""),
            "subject": doc.get("Subject") or doc.get("Title", ""), "pages": pages,
            "page_range": f"{first}–{first + pages - 1}" if pages else "", "note": doc.get("Description", ""),
        })  # fmt: skip
        first += pages
    return rows


def contents_pdf(dossier: Dossier) -> bytes:
    register_fonts()
    out = io.BytesIO()
    page = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                             topMargin=15 * mm, bottomMargin=15 * mm, title=f"Mục lục văn bản {dossier.code}")  # fmt: skip
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12)
    bold = ParagraphStyle("bold", parent=body, fontName=FONT_BOLD)
    title = ParagraphStyle("title", parent=bold, fontSize=14, leading=18, alignment=1)

    def p(text: Any, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text or "")), style)

    story: list[Any] = [p("MỤC LỤC VĂN BẢN", title), Spacer(1, 4 * mm)]
    fields = [
        ("Mã hồ sơ", dossier.code), ("Tiêu đề hồ sơ", dossier.title), ("Thời hạn bảo quản", dossier.retention_label),
        ("Chế độ sử dụng", dossier.rights), ("Người lập hồ sơ", dossier.creator_name),
        ("Thời gian", f"{format_date(dossier.start_date)} – {format_date(dossier.end_date)}"),
        ("Số lượng văn bản / trang", f"{dossier.doc_total} / {dossier.page_total}"),
    ]  # fmt: skip
    for label, value in fields:
        story.append(Paragraph(f"<b>{escape(label)}:</b> {escape(str(value or ''))}", body))
    story.append(Spacer(1, 4 * mm))
    data: list[list[Any]] = [[p(h, bold) for h in HEADERS]]
    for row in contents_rows(dossier):
        data.append([p(row["ordinal"]), p(row["number"]), p(row["date"]), p(row["author"]), p(row["subject"]),
                     p(row["page_range"]), p(row["note"])])  # fmt: skip
    table = Table(data, colWidths=[12 * mm, 35 * mm, 24 * mm, 45 * mm, 105 * mm, 22 * mm, 24 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    page.build(story)
    return out.getvalue()
