"""Vietnam's public holidays (Bộ luật Lao động 2019, Điều 112) for 2025–2027 as the
government announced the days off for civil servants, with the compensatory days off
(nghỉ bù) and make-up working days (làm bù). Lunar holidays are given as solar dates.
This is seed data: the system administrator corrects and extends it on the calendar page."""

from __future__ import annotations

import datetime as dt

H, W = "holiday", "workday"

DAYS: list[tuple[dt.date, str, str]] = [
    # 2025
    (dt.date(2025, 1, 1), H, "Tết Dương lịch"),
    (dt.date(2025, 1, 27), H, "Tết Nguyên đán (nghỉ hoán đổi)"),
    (dt.date(2025, 1, 28), H, "Tết Nguyên đán"),
    (dt.date(2025, 1, 29), H, "Tết Nguyên đán"),
    (dt.date(2025, 1, 30), H, "Tết Nguyên đán"),
    (dt.date(2025, 1, 31), H, "Tết Nguyên đán"),
    (dt.date(2025, 2, 8), W, "Làm bù cho ngày 27/01/2025"),
    (dt.date(2025, 4, 7), H, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    (dt.date(2025, 4, 30), H, "Ngày Chiến thắng"),
    (dt.date(2025, 5, 1), H, "Ngày Quốc tế lao động"),
    (dt.date(2025, 5, 2), H, "Nghỉ hoán đổi lễ 30/4 – 1/5"),
    (dt.date(2025, 4, 26), W, "Làm bù cho ngày 02/05/2025"),
    (dt.date(2025, 9, 1), H, "Quốc khánh (ngày liền kề)"),
    (dt.date(2025, 9, 2), H, "Quốc khánh"),
    # 2026
    (dt.date(2026, 1, 1), H, "Tết Dương lịch"),
    (dt.date(2026, 1, 2), H, "Tết Dương lịch (nghỉ hoán đổi)"),
    (dt.date(2026, 1, 10), W, "Làm bù cho ngày 02/01/2026"),
    (dt.date(2026, 2, 16), H, "Tết Nguyên đán"),
    (dt.date(2026, 2, 17), H, "Tết Nguyên đán"),
    (dt.date(2026, 2, 18), H, "Tết Nguyên đán"),
    (dt.date(2026, 2, 19), H, "Tết Nguyên đán"),
    (dt.date(2026, 2, 20), H, "Tết Nguyên đán"),
    (dt.date(2026, 4, 27), H, "Giỗ Tổ Hùng Vương (nghỉ bù ngày 26/4, Chủ nhật)"),
    (dt.date(2026, 4, 30), H, "Ngày Chiến thắng"),
    (dt.date(2026, 5, 1), H, "Ngày Quốc tế lao động"),
    (dt.date(2026, 9, 1), H, "Quốc khánh (ngày liền kề)"),
    (dt.date(2026, 9, 2), H, "Quốc khánh"),
    # 2027
    (dt.date(2027, 1, 1), H, "Tết Dương lịch"),
    (dt.date(2027, 2, 5), H, "Tết Nguyên đán"),
    (dt.date(2027, 2, 8), H, "Tết Nguyên đán"),
    (dt.date(2027, 2, 9), H, "Tết Nguyên đán"),
    (dt.date(2027, 2, 10), H, "Tết Nguyên đán (nghỉ bù)"),
    (dt.date(2027, 2, 11), H, "Tết Nguyên đán (nghỉ bù)"),
    (dt.date(2027, 4, 16), H, "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    (dt.date(2027, 4, 30), H, "Ngày Chiến thắng"),
    (dt.date(2027, 5, 3), H, "Ngày Quốc tế lao động (nghỉ bù ngày 1/5, Thứ Bảy)"),
    (dt.date(2027, 9, 2), H, "Quốc khánh"),
    (dt.date(2027, 9, 3), H, "Quốc khánh (ngày liền kề)"),
]

# (urgency, working days): the general rules; a rule per document type overrides them.
RULES = [("normal", 10), ("khan", 3), ("thuong_khan", 2), ("hoa_toc", 1)]
