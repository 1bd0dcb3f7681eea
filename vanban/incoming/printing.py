"""Print-ready PDFs of incoming documents: the Sổ đăng ký văn bản đến in the App IV
layout (cover, then a ruled table whose headings repeat on every page, page numbers)
and the receipt slip of one document.

The register is drawn straight onto reportlab's canvas, one row at a time, instead of
through a platypus Table: a table of 20 000 rows re-measures everything after each page
break (quadratic), while a row here is measured once with `core.pdf.wrap`.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable
from typing import IO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vanban.core.pdf import FONT, FONT_BOLD, FONT_ITALIC, register_fonts, wrap
from vanban.incoming.exports import COLUMNS, TITLE, RegisterRow, RegisterSheet
from vanban.incoming.models import IncomingDocument

_SPOOL_BYTES = 16 * 1024 * 1024

# --- The register ------------------------------------------------------------------------

PAGE = landscape(A4)
MARGIN_LEFT = 20 * mm  # the binding side of a bound register
MARGIN_RIGHT = 10 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 14 * mm
TABLE_WIDTH = PAGE[0] - MARGIN_LEFT - MARGIN_RIGHT
_WEIGHTS = (60, 36, 112, 80, 54, 190, 92, 50, 46, 72)
WIDTHS = tuple(TABLE_WIDTH * w / sum(_WEIGHTS) for w in _WEIGHTS)
_CENTERED = frozenset({0, 1, 4, 7})
SIZE = 8.0
LEADING = 9.6
PAD = 2.5
MIN_ROW = 24.0  # room for a signature in "Ký nhận"
NUMBER_ROW = 11.0


class _RegisterPages:
    """Draws the table pages: headings on each new page, rows below, footer."""

    def __init__(self, c: Canvas, sheet: RegisterSheet) -> None:
        self.c = c
        self.sheet = sheet
        self.page = 0
        self.y = 0.0
        self.xs = [MARGIN_LEFT]
        for width in WIDTHS:
            self.xs.append(self.xs[-1] + width)
        self.heading_lines = [
            wrap(title, FONT_BOLD, SIZE, w - 2 * PAD) for title, w in zip(COLUMNS, WIDTHS, strict=True)
        ]
        self.heading_height = max(len(lines) for lines in self.heading_lines) * LEADING + 2 * PAD
        owner = sheet.unit_name or sheet.organ_name
        self.footer = f"{TITLE.capitalize()} năm {sheet.year} — {owner} — {sheet.period_text.lower()}"
        self.usable = PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM - self.heading_height - NUMBER_ROW
        self.max_lines = int((self.usable - 2 * PAD) // LEADING)

    def new_page(self) -> None:
        if self.page:
            self.c.showPage()
        self.page += 1
        c = self.c
        top = PAGE[1] - MARGIN_TOP
        bottom = top - self.heading_height
        c.setLineWidth(0.6)
        for i, lines in enumerate(self.heading_lines):
            x0, x1 = self.xs[i], self.xs[i + 1]
            y = top - PAD - SIZE - (self.heading_height - 2 * PAD - len(lines) * LEADING) / 2
            c.setFont(FONT_BOLD, SIZE)
            for line in lines:
                c.drawCentredString((x0 + x1) / 2, y, line)
                y -= LEADING
        number_bottom = bottom - NUMBER_ROW
        c.setFont(FONT_ITALIC, SIZE - 1)
        for i in range(len(COLUMNS)):
            c.drawCentredString((self.xs[i] + self.xs[i + 1]) / 2, number_bottom + 3, f"({i + 1})")
        c.lines(
            [(self.xs[0], y, self.xs[-1], y) for y in (top, bottom, number_bottom)]
            + [(x, top, x, number_bottom) for x in self.xs]
        )
        c.setFont(FONT, 7)
        c.drawString(MARGIN_LEFT, MARGIN_BOTTOM / 2, self.footer)
        c.setFont(FONT, 8)
        c.drawRightString(PAGE[0] - MARGIN_RIGHT, MARGIN_BOTTOM / 2, f"Trang {self.page}")
        self.y = number_bottom

    def _cells(self, row: RegisterRow) -> list[list[tuple[str, str]]]:
        def lines(text: str, column: int, font: str = FONT) -> list[tuple[str, str]]:
            return [(font, line) for line in wrap(text, font, SIZE, WIDTHS[column] - 2 * PAD)]

        arrival = [(FONT, f"{row.arrival_date:%d/%m/%Y}"), (FONT, f"{row.arrival_date:%H:%M}")]
        transferred = [(FONT, f"{row.transferred_on:%d/%m/%Y}")] if row.transferred_on else []
        return [
            arrival,
            [(FONT_BOLD, str(row.arrival_number))],
            lines(row.author, 2),
            lines(row.number_symbol, 3),
            [(FONT, f"{row.issued_date:%d/%m/%Y}")],
            lines(row.type_name, 5, FONT_BOLD) + lines(row.subject, 5),
            lines(row.recipients, 6),
            transferred,
            [],
            lines(row.note, 9),
        ]

    def add(self, row: RegisterRow) -> None:
        cells = self._cells(row)
        for i, content in enumerate(cells):
            if len(content) > self.max_lines:  # a cell longer than a page is cut, visibly
                font, last = content[self.max_lines - 1]
                cells[i] = [*content[: self.max_lines - 1], (font, f"{last[: max(0, len(last) - 2)]} …")]
        height = max(MIN_ROW, max(len(content) for content in cells) * LEADING + 2 * PAD)
        if self.page == 0 or self.y - height < MARGIN_BOTTOM:
            self.new_page()
        self.draw(cells, height)

    def draw(self, cells: list[list[tuple[str, str]]], height: float) -> None:
        # One text object per row: a drawString per line costs a text object each.
        c = self.c
        top = self.y
        text = c.beginText()
        current_font = ""
        for i, content in enumerate(cells):
            x0, x1 = self.xs[i], self.xs[i + 1]
            y = top - PAD - SIZE + 1
            for font, line in content:
                if font != current_font:
                    text.setFont(font, SIZE)
                    current_font = font
                x = (x0 + x1 - stringWidth(line, font, SIZE)) / 2 if i in _CENTERED else x0 + PAD
                text.setTextOrigin(x, y)
                text.textOut(line)
                y -= LEADING
        c.drawText(text)
        bottom = top - height
        c.lines([(self.xs[0], bottom, self.xs[-1], bottom)] + [(x, top, x, bottom) for x in self.xs])
        self.y = bottom

    def empty(self) -> None:
        self.new_page()
        c = self.c
        c.setFont(FONT_ITALIC, SIZE + 1)
        c.drawCentredString(PAGE[0] / 2, self.y - 16, "Không có văn bản đến nào trong khoảng thời gian này.")
        c.lines([(self.xs[0], self.y - 24, self.xs[-1], self.y - 24), (self.xs[0], self.y, self.xs[0], self.y - 24),
                 (self.xs[-1], self.y, self.xs[-1], self.y - 24)])  # fmt: skip


def _centered_lines(c: Canvas, lines: list[str], font: str, size: float, x: float, y: float, leading: float) -> float:
    c.setFont(font, size)
    for line in lines:
        c.drawCentredString(x, y, line)
        y -= leading
    return y


def _draw_cover(c: Canvas, sheet: RegisterSheet) -> None:
    height = PAGE[1]
    # The organ block sits top left, centred on its own column, as on every ND30 form.
    block_x = MARGIN_LEFT + 70 * mm
    y = height - MARGIN_TOP - 14
    organ_font = FONT if sheet.unit_name else FONT_BOLD
    y = _centered_lines(c, wrap(sheet.organ_name.upper(), organ_font, 12, 130 * mm), organ_font, 12, block_x, y, 15)
    if sheet.unit_name:
        y = _centered_lines(c, wrap(sheet.unit_name.upper(), FONT_BOLD, 12, 130 * mm), FONT_BOLD, 12, block_x, y, 15)
    c.setLineWidth(0.6)
    c.line(block_x - 20 * mm, y + 9, block_x + 20 * mm, y + 9)

    center = MARGIN_LEFT + TABLE_WIDTH / 2
    y = height / 2 + 50
    c.setFont(FONT_BOLD, 28)
    c.drawCentredString(center, y, TITLE)
    y -= 44
    for text in (f"Năm: {sheet.year}", sheet.period_text, sheet.numbers_text, "Quyển số: ............"):
        c.setFont(FONT, 15)
        c.drawCentredString(center, y, text)
        y -= 24

    c.setFont(FONT_ITALIC, 8)
    c.drawCentredString(
        center,
        MARGIN_BOTTOM,
        f"{sheet.register_name} · {sheet.count} văn bản · in ngày {sheet.printed_at:%d/%m/%Y %H:%M}"
        f" · người in: {sheet.printed_by}",
    )


def build_register_pdf(sheet: RegisterSheet, rows: Iterable[RegisterRow]) -> IO[bytes]:
    """The register for binding: a cover (organ, year, period, first and last number),
    then the App IV table on landscape A4, headings repeated on every page."""
    register_fonts()
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (returned open)
    c = Canvas(spool, pagesize=PAGE, pageCompression=1)
    c.setTitle(f"{TITLE.capitalize()} năm {sheet.year} — {sheet.unit_name or sheet.organ_name}")
    c.setAuthor(sheet.organ_name)
    c.setSubject(sheet.period_text)
    c.setCreator("vanban")
    _draw_cover(c, sheet)
    c.showPage()
    pages = _RegisterPages(c, sheet)
    any_row = False
    for row in rows:
        pages.add(row)
        any_row = True
    if not any_row:
        pages.empty()
    c.showPage()
    c.save()
    spool.seek(0)
    return spool


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
