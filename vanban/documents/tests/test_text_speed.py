"""A megabyte of legacy text converts well within a request's time budget."""

from __future__ import annotations

import time

import pytest

from vanban.documents.text import convert, tcvn3, viqr, vni

PAGE = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
QUYẾT ĐỊNH
Về việc ban hành Quy chế quản lý văn bản điện tử của Bộ Công Thương
Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;
theo đề nghị của Chánh Văn phòng Bộ, các đơn vị thuộc Bộ tổ chức thực hiện, báo cáo kết quả
trước ngày 31 tháng 12 năm 2025. Trong quá trình thực hiện, nếu có vướng mắc, đề nghị phản ánh
về Văn phòng Bộ để tổng hợp, trình Bộ trưởng xem xét, quyết định.
"""
MEGABYTE = PAGE * (1_000_000 // len(PAGE) + 1)
BUDGET_SECONDS = 2.0  # measured ≈ 0.3 s on the 2-core development machine


@pytest.mark.parametrize("encode", [tcvn3.encode, vni.encode, viqr.encode], ids=["tcvn3", "vni", "viqr"])
def test_a_megabyte_of_legacy_text_converts_in_well_under_the_budget(encode):
    data = encode(MEGABYTE).encode("cp1252")
    assert len(data) >= 1_000_000
    started = time.perf_counter()
    result = convert(data)
    elapsed = time.perf_counter() - started
    assert result.text == MEGABYTE
    assert elapsed < BUDGET_SECONDS, f"{elapsed:.2f} s"
