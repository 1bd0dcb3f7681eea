"""Vietnam's public holidays (Bộ luật Lao động 2019, Điều 112) for 2025–2027 as the
government announced the days off for civil servants, with the compensatory days off
(nghỉ bù) and make-up working days (làm bù). Lunar holidays are given as solar dates.
This is seed data: the system administrator corrects and extends it on the calendar page.

Sources (checked 11/2026; migration 0003 corrects databases seeded before):
- 2025: Văn phòng Chính phủ, công văn 8726/VPCP-KGVX ngày 26/11/2024 (Thủ tướng đồng ý):
  Tết Ất Tỵ nghỉ 9 ngày từ thứ Bảy 25/01 đến hết Chủ nhật 02/02/2025 — the 5 Tết days
  (27–31/01) are all weekdays, so there is no swap and no make-up Saturday; 30/4–1/5
  nghỉ 30/4–04/5, thứ Sáu 02/5 hoán đổi sang thứ Bảy 26/4; Quốc khánh nghỉ 30/8–02/9
  (01/9 và 02/9). Giỗ Tổ 10/3 âm lịch = thứ Hai 07/4/2025.
- 2026: công văn 12729/VPCP-KGVX ngày 25/12/2025 (Tết Dương lịch 01–04/01, thứ Sáu 02/01
  hoán đổi sang thứ Bảy 10/01); văn bản Văn phòng Chính phủ 10/2025 truyền đạt ý kiến
  Thủ tướng theo đề xuất của Bộ Nội vụ: Tết Bính Ngọ (mùng 1 = 17/02/2026) nghỉ 14/02–22/02
  (5 ngày Tết 16–20/02 và 4 ngày cuối tuần); Quốc khánh nghỉ thứ Bảy 29/8 – thứ Tư 02/9
  (01/9, 02/9 và thứ Hai 31/8 hoán đổi sang thứ Bảy 22/8). Giỗ Tổ 10/3 âm lịch = Chủ nhật
  26/4/2026: nghỉ bù thứ Hai 27/4 (Điều 112 khoản 3); 30/4 và 01/5 là thứ Năm, thứ Sáu.
- 2027: no government announcement was found yet; the days follow the Code alone (Tết
  Đinh Mùi: mùng 1 = thứ Bảy 06/02/2027, the two weekend Tết days compensated on 10–11/02;
  Giỗ Tổ = 16/4/2027; 01/5 is a Saturday, compensated on Monday 03/5; Quốc khánh with the
  Friday 03/9 as the adjacent day). Check them against the announcement when it comes.
- Not seeded: "Ngày Văn hóa Việt Nam" 24/11. Nghị quyết 80-NQ/TW (01/2026) chose it as a
  paid day off in principle and Nghị quyết 30/NQ-CP (02/2026) tasks amending Điều 112;
  until the amended Code is in force it is not a legal holiday. The administrator adds it
  on the calendar page once it is.
"""

from __future__ import annotations

import datetime as dt

H, W = "holiday", "workday"

DAYS: list[tuple[dt.date, str, str]] = [
    # 2025
    (dt.date(2025, 1, 1), H, "Tết Dương lịch"),
    (dt.date(2025, 1, 27), H, "Tết Nguyên đán"),
    (dt.date(2025, 1, 28), H, "Tết Nguyên đán"),
    (dt.date(2025, 1, 29), H, "Tết Nguyên đán"),
    (dt.date(2025, 1, 30), H, "Tết Nguyên đán"),
    (dt.date(2025, 1, 31), H, "Tết Nguyên đán"),
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
    (dt.date(2026, 8, 22), W, "Làm bù cho ngày 31/08/2026"),
    (dt.date(2026, 8, 31), H, "Quốc khánh (nghỉ hoán đổi)"),
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
