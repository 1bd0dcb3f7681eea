"""The ND30 layout rules on generated first pages: a PDF's text layer, and scans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vanban.extraction.engine import builtin_types, extract, extract_with_meta
from vanban.extraction.rules import FIELDS, fold, squash

# The fields OCR of a clean 300 dpi scan must get right; the summary and names may
# lose a tone mark in OCR (the benchmark measures how often).
SCAN_FIELDS = ("number", "symbol", "number_symbol", "date", "doc_type", "signing_authority", "urgency", "secrecy")


def test_every_field_is_read_from_a_pdf_text_layer(make_page: Callable[..., Any]) -> None:
    path, sample = make_page("pdf", seed=3)
    got, meta = extract_with_meta(path, types=builtin_types())
    assert meta["source"] == "text"
    assert got == {key: sample.labels[key] for key in FIELDS}


def test_a_decision_with_authority_urgency_and_parent_organ(make_page: Callable[..., Any]) -> None:
    path, _ = make_page(
        "pdf",
        seed=5,
        organ_parent="BỘ CÔNG THƯƠNG",
        organ="CỤC XUẤT NHẬP KHẨU",
        number="05",
        symbol="QĐ-XNK",
        number_symbol="05/QĐ-XNK",
        doc_type="Quyết định (cá biệt)",
        _title="QUYẾT ĐỊNH",
        summary="Về việc ban hành quy chế quản lý văn bản điện tử",
        signing_authority="KT.",
        _on_behalf="CỤC TRƯỞNG",
        signer_position="PHÓ CỤC TRƯỞNG",
        signer_name="Trần Thị Bích Ngọc",
        urgency="THƯỢNG KHẨN",
        secrecy=None,
        date="2024-02-05",
        place="Hà Nội",
    )
    got = extract(path, types=builtin_types())
    assert got["organ_parent"] == "BỘ CÔNG THƯƠNG"
    assert got["organ"] == "CỤC XUẤT NHẬP KHẨU"
    assert (got["number"], got["symbol"], got["number_symbol"]) == ("05", "QĐ-XNK", "05/QĐ-XNK")
    assert got["doc_type"] == "Quyết định (cá biệt)"
    assert got["summary"] == "Về việc ban hành quy chế quản lý văn bản điện tử"
    assert (got["place"], got["date"]) == ("Hà Nội", "2024-02-05")
    assert (got["signing_authority"], got["signer_position"]) == ("KT.", "PHÓ CỤC TRƯỞNG")
    assert got["signer_name"] == "Trần Thị Bích Ngọc"
    assert (got["urgency"], got["secrecy"]) == ("THƯỢNG KHẨN", None)


def test_a_normative_decision_is_told_apart_by_the_year_in_its_symbol(make_page: Callable[..., Any]) -> None:
    path, _ = make_page(
        "pdf", seed=8, number="12", symbol="2024/QĐ-BTC", number_symbol="12/2024/QĐ-BTC",
        doc_type="Quyết định (quy phạm pháp luật)", _title="QUYẾT ĐỊNH",
    )  # fmt: skip
    got = extract(path, types=builtin_types())
    assert got["doc_type"] == "Quyết định (quy phạm pháp luật)"
    assert got["number_symbol"] == "12/2024/QĐ-BTC"


def test_a_cong_van_has_its_summary_after_vv_and_no_authority(make_page: Callable[..., Any]) -> None:
    path, _ = make_page(
        "pdf", seed=9, doc_type="Công văn", symbol="BCT-XNK", number="7816", number_symbol="7816/BCT-XNK",
        summary="Triển khai chuyển đổi số trong cơ quan nhà nước", signing_authority=None, _on_behalf=None,
        signer_position="BỘ TRƯỞNG",
    )  # fmt: skip
    got = extract(path, types=builtin_types())
    assert got["doc_type"] == "Công văn"
    assert got["summary"] == "Triển khai chuyển đổi số trong cơ quan nhà nước"
    assert got["signing_authority"] is None
    assert got["signer_position"] == "BỘ TRƯỞNG"


def test_a_secrecy_stamp_under_the_number_is_read(make_page: Callable[..., Any]) -> None:
    path, _ = make_page("pdf", seed=12, secrecy="TỐI MẬT", urgency=None)
    assert extract(path, types=builtin_types())["secrecy"] == "TỐI MẬT"


def test_a_scanned_image_is_read_by_ocr(make_page: Callable[..., Any]) -> None:
    path, sample = make_page("scan-png", seed=21, dpi=300, skew=0.6, font="noto-serif", secrecy=None, urgency="KHẨN")
    got, meta = extract_with_meta(path, types=builtin_types())
    assert meta["source"] == "ocr"
    assert {k: got[k] for k in SCAN_FIELDS} == {k: sample.labels[k] for k in SCAN_FIELDS}
    assert squash(got["signer_name"] or "") == squash(sample.labels["signer_name"])


def test_a_scanned_pdf_without_text_layer_is_rendered_and_read(make_page: Callable[..., Any]) -> None:
    path, sample = make_page("scan-pdf", seed=22, dpi=200, skew=-0.8, font="dejavu-serif")
    got, meta = extract_with_meta(path, types=builtin_types())
    assert meta["source"] == "ocr"
    assert got["number_symbol"] == sample.labels["number_symbol"]
    assert got["date"] == sample.labels["date"]
    assert got["doc_type"] == sample.labels["doc_type"]


def test_folding_keeps_one_character_per_character() -> None:
    assert fold("Số: 12/QĐ-BCT, ngày") == "so: 12/qd-bct, ngay"
    assert len(fold("Hà Nội, ngày 05 tháng 3 năm 2024")) == len("Hà Nội, ngày 05 tháng 3 năm 2024")


def test_ocr_misreadings_are_corrected_against_the_catalogues() -> None:
    from vanban.extraction.rules import POSITIONS, clean_symbol, correct_organ_words, correct_prefix

    assert correct_prefix("PHÓ CỤC TRƯƠNG", POSITIONS) == "PHÓ CỤC TRƯỞNG"
    assert correct_prefix("GLAM ĐỌC", POSITIONS) == "GIÁM ĐỐC"
    assert correct_prefix("VỤ TRƯƠNG VỤ PHÁP CHẾ", POSITIONS) == "VỤ TRƯỞNG VỤ PHÁP CHẾ"
    assert correct_organ_words("ỦY BAN NHÂN DÂN TĨNH QUẢNG NINH") == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH"
    types = builtin_types()
    assert clean_symbol("QD-BCT", types) == "QĐ-BCT"  # only QĐ folds to QD
    assert clean_symbol("HD-UBND", types) == "HD-UBND"  # HD (hướng dẫn) exists as printed
    assert clean_symbol("TIr-BNV", types) == "TTr-BNV"
    assert clean_symbol("QĐÐ-BTC.", types) == "QĐ-BTC"
