"""The week's schedule as a print-ready PDF (A4 landscape): one row per day and half
day, entries in time order, adjustments after publishing marked."""

from __future__ import annotations

import io
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from vanban.core.pdf import FONT, FONT_BOLD, register_fonts
from vanban.core.timeutil import format_date
from vanban.schedule.models import Schedule, ScheduleEntry
from vanban.schedule.selectors import week_grid


def _entry_html(entry: ScheduleEntry) -> str:
    time = f"<b>{entry.start_time:%H:%M}" + (f"–{entry.end_time:%H:%M}" if entry.end_time else "") + "</b>"
    parts = [f"{time}: {escape(entry.content)}"]
    if entry.cancelled:
        parts = [f"<strike>{parts[0]}</strike> <b>(ĐÃ HỦY)</b>"]
    if entry.chair_id:
        parts.append(f"Chủ trì: {escape(entry.chair.full_name)}")
    people = [p.full_name for p in entry.participants.all()] + [u.name for u in entry.participant_units.all()]
    if people:
        parts.append("Thành phần: " + escape(", ".join(people)))
    if entry.preparing_unit_id:
        parts.append(f"Chuẩn bị: {escape(entry.preparing_unit.name)}")
    if entry.place:
        parts.append(f"Địa điểm: {escape(entry.place)}")
    if entry.notes:
        parts.append(f"<i>Ghi chú: {escape(entry.notes)}</i>")
    if entry.adjusted:
        parts.append("<b>(Điều chỉnh)</b> " + escape(entry.adjustment_note).replace("\n", "<br/>"))
    return "<br/>".join(parts)


def schedule_pdf(schedule: Schedule) -> bytes:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12)
    head = ParagraphStyle("head", fontName=FONT_BOLD, fontSize=13, leading=17, alignment=1)
    sub = ParagraphStyle("sub", fontName=FONT, fontSize=10, leading=13, alignment=1)
    owner = schedule.unit.name if schedule.unit_id else "LÃNH ĐẠO BỘ"
    story = [
        Paragraph(f"LỊCH CÔNG TÁC {escape(owner.upper())}", head),
        Paragraph(f"Tuần từ {format_date(schedule.week_start)} đến {format_date(schedule.week_end)}"
                  f" — {escape(schedule.get_status_display())}", sub),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[object]] = [[Paragraph("<b>Thứ, ngày</b>", body), Paragraph("<b>Buổi</b>", body),
                                 Paragraph("<b>Nội dung công việc</b>", body)]]
    for day in week_grid(schedule, schedule.week_start):
        for label, entries in (("Sáng", day.morning), ("Chiều", day.afternoon)):
            cell = [Paragraph(_entry_html(e), body) for e in entries] or [Paragraph("", body)]
            rows.append([Paragraph(f"<b>{day.weekday}</b><br/>{format_date(day.date)}", body),
                         Paragraph(label, body), cell])
    table = Table(rows, colWidths=[32 * mm, 18 * mm, 217 * mm], repeatRows=1)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
    ]
    for i in range(7):
        style.append(("SPAN", (0, 1 + 2 * i), (0, 2 + 2 * i)))
    table.setStyle(TableStyle(style))
    story.append(table)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=str(schedule), author="vanban")
    doc.build(story)
    return buffer.getvalue()
