"""Sample outgoing documents as PDF, laid out as ND30 App I lays out a decision: the
header with "Số:      /QĐ-BCT" and "Hà Nội, ngày      tháng      năm 2026" left for
the clerk, the body, and the signature block (title, space, name) on the last page.
Used by tests, the signing benchmark and demos."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from vanban.core.pdf import FONT, FONT_BOLD, FONT_ITALIC, register_fonts

BODY = (
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư; "
    "theo đề nghị của Chánh Văn phòng Bộ, Bộ trưởng Bộ Công Thương quyết định ban hành văn bản này."
)


def draft_pdf(
    *,
    pages: int = 1,
    title: str = "QUYẾT ĐỊNH",
    summary: str = "Về việc ban hành Quy chế công tác văn thư của Bộ Công Thương",
    type_abbreviation: str = "QĐ-BCT",
    signer_title: str = "BỘ TRƯỞNG",
    signer_name: str = "Hoàng Đức Thắng",
    place: str = "Hà Nội",
    year: int = 2026,
) -> bytes:
    register_fonts()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=True)
    width, height = A4
    mm = 72 / 25.4
    left = 30 * mm
    for page in range(1, pages + 1):
        y = height - 20 * mm
        if page == 1:
            c.setFont(FONT_BOLD, 12)
            c.drawCentredString(left + 25 * mm, y, "BỘ CÔNG THƯƠNG")
            c.setFont(FONT_BOLD, 11)
            c.drawCentredString(width - 62 * mm, y, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
            c.setFont(FONT_BOLD, 12)
            c.drawCentredString(width - 62 * mm, y - 16, "Độc lập - Tự do - Hạnh phúc")
            c.setFont(FONT, 13)
            c.drawString(left, y - 45, f"Số:          /{type_abbreviation}")
            c.setFont(FONT_ITALIC, 13)
            c.drawString(width - 105 * mm, y - 45, f"{place}, ngày      tháng      năm {year}")
            c.setFont(FONT_BOLD, 14)
            c.drawCentredString(width / 2, y - 90, title)
            c.setFont(FONT_BOLD, 13)
            c.drawCentredString(width / 2, y - 108, summary)
            y -= 150
        c.setFont(FONT, 13)
        for line in range(12):
            c.drawString(left, y, f"Điều {page}.{line + 1}. {BODY[line * 4 : line * 4 + 52]}")
            y -= 20
        if page == pages:
            y -= 20
            c.setFont(FONT_BOLD, 13)
            c.drawCentredString(width - 60 * mm, y, signer_title)
            c.drawCentredString(width - 60 * mm, y - 100, signer_name)
            c.setFont(FONT_BOLD, 11)
            c.drawString(left, y, "Nơi nhận:")
            c.setFont(FONT, 10)
            c.drawString(left, y - 14, "- Như Điều 3;")
            c.drawString(left, y - 28, "- Lưu: VT, VP.")
        c.setFont(FONT, 10)
        c.drawCentredString(width / 2, 12 * mm, str(page))
        c.showPage()
    c.save()
    return out.getvalue()
