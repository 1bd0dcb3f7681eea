"""The guard services call on every text field of a form or an API body."""

from __future__ import annotations

import unicodedata

from vanban.documents.text import FieldConversion, guard_text, normalise_field


def test_ordinary_text_passes_through_without_a_record():
    for value in ("", "Công văn số 12/BCT", "Hello, world", "Grüße aus München"):
        assert guard_text(value) == (value, None)


def test_pasted_tcvn3_is_converted_with_a_before_after_record():
    text, record = guard_text("B¸o c¸o t×nh h×nh")
    assert text == "Báo cáo tình hình"
    assert record == FieldConversion(original="B¸o c¸o t×nh h×nh", converted="Báo cáo tình hình", source="tcvn3")
    assert record.changed
    assert record.description == "Đã chuyển từ bảng mã TCVN3 (ABC, phông .VnTime) sang Unicode."


def test_pasted_vni_and_viqr_are_named_in_the_notice():
    assert (
        guard_text("Toâi ñi hoïc")[1].description == "Đã chuyển từ bảng mã VNI-Windows (phông VNI-Times) sang Unicode."
    )
    assert guard_text("Ha` No^.i")[1].description == "Đã chuyển từ bảng mã VIQR sang Unicode."


def test_decomposed_text_is_recomposed_and_reported():
    nfd = unicodedata.normalize("NFD", "Quyết định")
    text, record = guard_text(nfd)
    assert text == "Quyết định"
    assert record is not None and record.source == "unicode"
    assert record.description == "Đã chuyển chữ Unicode tổ hợp sang Unicode dựng sẵn (NFC)."


def test_undo_gives_back_what_was_typed_still_in_nfc():
    _, record = guard_text("Xin chµo c¸c b¹n")
    assert record.undo() == "Xin chµo c¸c b¹n"
    _, record = guard_text(unicodedata.normalize("NFD", "Việt"))
    assert record.undo() == "Việt"


def test_normalise_field_always_reports_what_it_saw():
    unchanged = normalise_field("Tiếng Việt")
    assert (unchanged.converted, unchanged.source, unchanged.changed) == ("Tiếng Việt", "unicode", False)
