"""The printed register (ND30 App IV) as a PDF for binding: a cover, then a ruled
table on landscape A4 whose headings and column numbers repeat on every page, with
page numbers. Shared by the incoming and the outgoing register; each supplies its
book (title, columns, widths) and how one row fills the cells.

The table is drawn straight onto reportlab's canvas, one row at a time, instead of
through a platypus Table: a table of 20 000 rows re-measures everything after each page
break (quadratic), while a row here is measured once with `core.pdf.wrap`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from typing import IO, TypeVar

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from vanban.core.pdf import FONT, FONT_BOLD, FONT_ITALIC, register_fonts, wrap
from vanban.documents.register_exports import RegisterBook, RegisterSheet

_SPOOL_BYTES = 16 * 1024 * 1024

PAGE = landscape(A4)
MARGIN_LEFT = 20 * mm  # the binding side of a bound register
MARGIN_RIGHT = 10 * mm
MARGIN_TOP = 12 * mm
MARGIN_BOTTOM = 14 * mm
TABLE_WIDTH = PAGE[0] - MARGIN_LEFT - MARGIN_RIGHT
SIZE = 8.0
LEADING = 9.6
PAD = 2.5
MIN_ROW = 24.0  # room for a signature in "Ký nhận"
NUMBER_ROW = 11.0

Row = TypeVar("Row")
# A cell's content: its lines, each with the font it is set in.
Lines = list[tuple[str, str]]
# Wraps a text to fit a column: fit(text, column, font) -> lines.
Fit = Callable[..., Lines]


class _RegisterPages:
    """Draws the table pages: headings on each new page, rows below, footer."""

    def __init__(self, c: Canvas, book: RegisterBook, sheet: RegisterSheet) -> None:
        self.c = c
        self.book = book
        self.page = 0
        self.y = 0.0
        weights = book.pdf_weights
        self.widths = [TABLE_WIDTH * w / sum(weights) for w in weights]
        self.xs = [MARGIN_LEFT]
        for width in self.widths:
            self.xs.append(self.xs[-1] + width)
        self.heading_lines = [
            wrap(title, FONT_BOLD, SIZE, w - 2 * PAD) for title, w in zip(book.columns, self.widths, strict=True)
        ]
        self.heading_height = max(len(lines) for lines in self.heading_lines) * LEADING + 2 * PAD
        owner = sheet.unit_name or sheet.organ_name
        self.footer = f"{book.title.capitalize()} năm {sheet.year} — {owner} — {sheet.period_text.lower()}"
        self.usable = PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM - self.heading_height - NUMBER_ROW
        self.max_lines = int((self.usable - 2 * PAD) // LEADING)

    def fit(self, text: str, column: int, font: str = FONT) -> Lines:
        return [(font, line) for line in wrap(text, font, SIZE, self.widths[column] - 2 * PAD)]

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
        for i in range(len(self.book.columns)):
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

    def add(self, cells: list[Lines]) -> None:
        for i, content in enumerate(cells):
            if len(content) > self.max_lines:  # a cell longer than a page is cut, visibly
                font, last = content[self.max_lines - 1]
                cells[i] = [*content[: self.max_lines - 1], (font, f"{last[: max(0, len(last) - 2)]} …")]
        height = max(MIN_ROW, max(len(content) for content in cells) * LEADING + 2 * PAD)
        if self.page == 0 or self.y - height < MARGIN_BOTTOM:
            self.new_page()
        self.draw(cells, height)

    def draw(self, cells: list[Lines], height: float) -> None:
        # One text object per row: a drawString per line costs a text object each.
        c = self.c
        top = self.y
        centered = self.book.pdf_centered
        text = c.beginText()
        current_font = ""
        for i, content in enumerate(cells):
            x0, x1 = self.xs[i], self.xs[i + 1]
            y = top - PAD - SIZE + 1
            for font, line in content:
                if font != current_font:
                    text.setFont(font, SIZE)
                    current_font = font
                x = (x0 + x1 - stringWidth(line, font, SIZE)) / 2 if i in centered else x0 + PAD
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
        c.drawCentredString(PAGE[0] / 2, self.y - 16, self.book.empty_text)
        c.lines([(self.xs[0], self.y - 24, self.xs[-1], self.y - 24), (self.xs[0], self.y, self.xs[0], self.y - 24),
                 (self.xs[-1], self.y, self.xs[-1], self.y - 24)])  # fmt: skip


def _centered_lines(c: Canvas, lines: list[str], font: str, size: float, x: float, y: float, leading: float) -> float:
    c.setFont(font, size)
    for line in lines:
        c.drawCentredString(x, y, line)
        y -= leading
    return y


def _draw_cover(c: Canvas, book: RegisterBook, sheet: RegisterSheet) -> None:
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
    c.drawCentredString(center, y, book.title)
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


def build_register_pdf(
    book: RegisterBook, sheet: RegisterSheet, rows: Iterable[Row], cells: Callable[[Row, Fit], list[Lines]]
) -> IO[bytes]:
    """The register for binding: a cover (organ, year, period, first and last number),
    then the App IV table on landscape A4, headings repeated on every page. `cells`
    turns a row into the lines of each column, wrapping text with the `fit` it gets."""
    register_fonts()
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115 (returned open)
    c = Canvas(spool, pagesize=PAGE, pageCompression=1)
    c.setTitle(f"{book.title.capitalize()} năm {sheet.year} — {sheet.unit_name or sheet.organ_name}")
    c.setAuthor(sheet.organ_name)
    c.setSubject(sheet.period_text)
    c.setCreator("vanban")
    _draw_cover(c, book, sheet)
    c.showPage()
    pages = _RegisterPages(c, book, sheet)
    any_row = False
    for row in rows:
        pages.add(cells(row, pages.fit))
        any_row = True
    if not any_row:
        pages.empty()
    c.showPage()
    c.save()
    spool.seek(0)
    return spool
