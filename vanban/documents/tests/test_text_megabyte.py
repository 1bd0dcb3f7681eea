"""A megabyte of legacy-encoded text converts back exactly. How long it takes is
measured by bench/text_conversion.py, not here: a timed test fails on a loaded machine."""

from __future__ import annotations

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


@pytest.mark.parametrize("encode", [tcvn3.encode, vni.encode, viqr.encode], ids=["tcvn3", "vni", "viqr"])
def test_a_megabyte_of_legacy_text_converts_back_exactly(encode):
    data = encode(MEGABYTE).encode("cp1252")
    assert len(data) >= 1_000_000
    assert convert(data).text == MEGABYTE
