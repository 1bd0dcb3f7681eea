"""The standard report "Báo cáo thống kê tình hình xử lý văn bản" for a period and a unit:
one row per unit of the view (the same rows as the dashboard's per-unit breakdown), and
its Excel and print-ready PDF forms.

Columns: received (the work each unit leads, for documents that arrived in the period),
processed on time, processed late, in progress within the deadline, overdue; plus the
on-time rate. The total row counts each document once (see selectors' docstring)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from vanban.core.timeutil import today
from vanban.incoming.models import IncomingDocument
from vanban.reports.scope import Period, Scope
from vanban.reports.selectors import (
    BucketWork,
    WorkCounts,
    _roll_up,
    _unit_pairs,
    incoming_by_status,
    no_jit,
    summary_in_period,
)

TITLE = "BÁO CÁO THỐNG KÊ TÌNH HÌNH XỬ LÝ VĂN BẢN"
COLUMNS = (
    "STT",
    "Đơn vị",
    "Số văn bản tiếp nhận (chủ trì)",
    "Đã xử lý đúng hạn",
    "Đã xử lý quá hạn",
    "Đang xử lý trong hạn",
    "Quá hạn chưa xử lý",
    "Tỷ lệ đúng hạn (%)",
)
NOTES = (
    "Số văn bản tiếp nhận: văn bản đến trong kỳ (theo ngày đến) mà đơn vị được giao chủ trì xử lý.",
    "Đúng hạn: hoàn thành không muộn hơn ngày hạn xử lý; quá hạn: hoàn thành sau ngày hạn.",
    "Đang xử lý trong hạn, quá hạn chưa xử lý: tính đến ngày lập báo cáo.",
    "Tỷ lệ đúng hạn = đúng hạn / (đúng hạn + quá hạn + quá hạn chưa xử lý).",
    "Dòng tổng cộng tính mỗi văn bản một lần; văn bản giao tiếp cho đơn vị cấp dưới có thể xuất hiện ở cả hai dòng.",
)


@dataclass
class ProcessingReport:
    scope: Scope
    period: Period
    rows: list[BucketWork]
    total: WorkCounts
    received_total: int
    unassigned: int
    as_of: dt.date
    generated_at: dt.datetime = field(default_factory=timezone.now)

    def table(self) -> list[list[Any]]:
        """The rows as printed: STT, unit, the five counts, the rate ("—" when none)."""
        lines: list[list[Any]] = []
        for i, row in enumerate(self.rows, start=1):
            c = row.counts
            lines.append([i, row.bucket.label, c.all, c.on_time, c.late, c.within, c.overdue, _rate(c)])
        t = self.total
        lines.append(["", "Tổng cộng", t.all, t.on_time, t.late, t.within, t.overdue, _rate(t)])
        return lines

    @property
    def filename_stem(self) -> str:
        return f"bao-cao-xu-ly-van-ban-{self.period.date_from:%Y%m%d}-{self.period.date_to:%Y%m%d}"

    def describe(self) -> list[tuple[str, str]]:
        return [
            ("Kỳ báo cáo", f"Từ ngày {self.period.date_from:%d/%m/%Y} đến ngày {self.period.date_to:%d/%m/%Y}"),
            ("Phạm vi", self.scope.describe()),
            ("Số liệu tính đến ngày", f"{self.as_of:%d/%m/%Y}"),
            ("Văn bản đến trong kỳ", str(self.received_total)),
            ("Văn bản chưa giao xử lý", str(self.unassigned)),
        ]


def _rate(c: WorkCounts) -> Any:
    rate = c.rate("on_time")
    return "—" if rate is None else rate


def build_report(*, scope: Scope, period: Period) -> ProcessingReport:
    with no_jit():
        return _build_report(scope, period)


def _build_report(scope: Scope, period: Period) -> ProcessingReport:
    day = today()
    pairs = _unit_pairs(summary_in_period(scope, period), day, with_time=False)
    total, rows = _roll_up(scope, pairs)
    rows = [r for r in rows if r.bucket.key != "none" or r.counts.all]
    by_status = incoming_by_status(scope, period)
    unassigned = by_status.get(IncomingDocument.Status.REGISTERED, 0) + by_status.get(
        IncomingDocument.Status.PRESENTED, 0
    )
    return ProcessingReport(scope, period, rows, total, sum(by_status.values()), unassigned, day)


def _organ_name(report: ProcessingReport) -> str:
    from vanban.organisation.models import Organ

    organ = Organ.objects.filter(is_own=True).order_by("pk").first()
    return organ.name.upper() if organ else ""


def _author(report: ProcessingReport) -> str:
    viewer = report.scope.viewer
    return getattr(viewer, "full_name", "") or getattr(viewer, "username", "")


# --- Excel --------------------------------------------------------------------------------


def to_xlsx(report: ProcessingReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    widths = (6, 46, 16, 14, 14, 14, 14, 12)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    last = get_column_letter(len(COLUMNS))
    ws.append([_organ_name(report)])
    ws.append([TITLE])
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = Font(bold=True, size=13)
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.append([f"Từ ngày {report.period.date_from:%d/%m/%Y} đến ngày {report.period.date_to:%d/%m/%Y}"])
    ws.merge_cells(f"A3:{last}3")
    ws["A3"].alignment = Alignment(horizontal="center")
    ws.append([f"Phạm vi: {report.scope.describe()}. Số liệu tính đến ngày {report.as_of:%d/%m/%Y}."])
    ws.merge_cells(f"A4:{last}4")
    ws.append([])
    ws.append(list(COLUMNS))
    header_row = ws.max_row
    for c in ws[header_row]:
        c.font = bold
        c.border = border
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[header_row].height = 45
    for line in report.table():
        ws.append(line)
        for c in ws[ws.max_row]:
            c.border = border
            if c.column >= 3:
                c.alignment = Alignment(horizontal="right")
    for c in ws[ws.max_row]:
        c.font = bold
    ws.append([])
    ws.append(["", f"Văn bản đến trong kỳ: {report.received_total}; chưa giao xử lý: {report.unassigned}."])
    ws.append(["", "Ghi chú:"])
    for note in NOTES:
        ws.append(["", f"- {note}"])
    ws.append([])
    stamp = timezone.localtime(report.generated_at)
    ws.append(["", f"Người lập: {_author(report)}. Lập lúc {stamp:%H:%M ngày %d/%m/%Y}."])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------


def to_pdf(report: ProcessingReport) -> bytes:
    """A4 landscape: the national motto and the organ at the top, the table (header
    repeated on each page), notes, the place for the signature; page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from vanban.core.pdf import FONT, FONT_BOLD, FONT_ITALIC, register_fonts

    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
    center_bold = ParagraphStyle("cb", parent=center, fontName=FONT_BOLD)
    title = ParagraphStyle("title", parent=center_bold, fontSize=14, leading=18, spaceBefore=6)
    italic = ParagraphStyle("it", parent=center, fontName=FONT_ITALIC)
    cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=11)
    cell_bold = ParagraphStyle("cellb", parent=cell, fontName=FONT_BOLD, alignment=TA_CENTER)
    note = ParagraphStyle("note", parent=base, fontSize=8.5, leading=11)

    buffer = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=20 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=TITLE,
        author=_author(report),
        creator="vanban",
    )
    width = page[0] - 35 * mm
    stamp = timezone.localtime(report.generated_at)
    heading = Table(
        [
            [Paragraph(_organ_name(report), center_bold), Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", center_bold)],
            [Paragraph(report.scope.describe(), center), Paragraph("Độc lập - Tự do - Hạnh phúc", center_bold)],
            ["", Paragraph(f"Hà Nội, ngày {stamp:%d} tháng {stamp:%m} năm {stamp:%Y}", italic)],
        ],
        colWidths=[width * 0.45, width * 0.55],
    )
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Any] = [heading, Spacer(1, 6 * mm), Paragraph(TITLE, title)]
    story.append(
        Paragraph(f"Từ ngày {report.period.date_from:%d/%m/%Y} đến ngày {report.period.date_to:%d/%m/%Y}", center)
    )
    story.append(Paragraph(f"Số liệu tính đến ngày {report.as_of:%d/%m/%Y}", italic))
    story.append(Spacer(1, 5 * mm))
    data: list[list[Any]] = [[Paragraph(c, cell_bold) for c in COLUMNS]]
    for line in report.table():
        data.append([line[0], Paragraph(str(line[1]), cell), *line[2:]])
    weights = (5, 40, 13, 11, 11, 11, 11, 10)
    table = Table(data, colWidths=[width * w / sum(weights) for w in weights], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("FONT", (0, -1), (-1, -1), FONT_BOLD, 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(f"Văn bản đến trong kỳ: {report.received_total}; chưa giao xử lý: {report.unassigned}.", base)
    )
    story.append(Paragraph("Ghi chú:", note))
    for n in NOTES:
        story.append(Paragraph(f"- {n}", note))
    story.append(Spacer(1, 8 * mm))
    sign = Table(
        [
            ["", Paragraph("NGƯỜI LẬP BÁO CÁO", center_bold)],
            ["", Spacer(1, 18 * mm)],
            ["", Paragraph(_author(report), center_bold)],
        ],
        colWidths=[width * 0.55, width * 0.45],
    )
    story.append(sign)

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawRightString(page[0] - 15 * mm, 8 * mm, f"Trang {document.page}")
        canvas.drawString(20 * mm, 8 * mm, f"{TITLE.capitalize()} — lập lúc {stamp:%H:%M %d/%m/%Y}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
