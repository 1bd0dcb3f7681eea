"""Detection and conversion on the texts clerks actually paste, and on the ordinary
texts that must come through untouched."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from vanban.documents.text import convert, detect

MOJIBAKE = [
    # TCVN3 (.VnTime), as a browser shows it
    ("Xin chµo c¸c b¹n", "tcvn3", "Xin chào các bạn"),
    ("Bé C«ng Th\xad¬ng", "tcvn3", "Bộ Công Thương"),
    ("§éc lËp - Tù do - H¹nh phóc", "tcvn3", "Độc lập - Tự do - Hạnh phúc"),
    ("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "tcvn3", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("Sè: 123/Q§-BCT ngµy 15 th¸ng 3 n¨m 2024", "tcvn3", "Số: 123/QĐ-BCT ngày 15 tháng 3 năm 2024"),
    ("V/v triÓn khai QuyÕt ®Þnh sè 28/2018/Q§-TTg", "tcvn3", "V/v triển khai Quyết định số 28/2018/QĐ-TTg"),
    ("QUYÕT §ÞNH\nVÒ viÖc ban hµnh Quy chÕ", "tcvn3", "QUYẾT ĐỊNH\nVề việc ban hành Quy chế"),
    ("ë Hµ Néi, UBND tØnh ®· häp", "tcvn3", "ở Hà Nội, UBND tỉnh đã họp"),
    # VNI-Windows
    ("Toâi ñi hoïc", "vni", "Tôi đi học"),
    ("Tröôøng Ñaïi hoïc Baùch khoa", "vni", "Trường Đại học Bách khoa"),
    ("Nguyeãn Vaên A", "vni", "Nguyễn Văn A"),
    ("COÄNG HOØA XAÕ HOÄI CHUÛ NGHÓA VIEÄT NAM", "vni", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("Hueá", "vni", "Huế"),
    # VIQR
    ("Tie^'ng Vie^.t", "viqr", "Tiếng Việt"),
    ("Ha` No^.i", "viqr", "Hà Nội"),
    ("Co^.ng ho`a xa~ ho^.i chu? nghi~a Vie^.t Nam.", "viqr", "Cộng hòa xã hội chủ nghĩa Việt Nam."),
    ("DDa(ng ky' ta.i So+? Co^ng Thu+o+ng, ddi\\.", "viqr", "Đăng ký tại Sở Công Thương, đi."),
]


@pytest.mark.parametrize(("pasted", "source", "expected"), MOJIBAKE)
def test_pasted_legacy_text_is_detected_and_converted(pasted, source, expected):
    assert detect(pasted) == source
    result = convert(pasted)
    assert (result.text, result.source, result.changed) == (expected, source, True)


@pytest.mark.parametrize(("pasted", "source", "expected"), [m for m in MOJIBAKE if m[1] != "viqr"])
def test_legacy_file_bytes_are_detected_and_converted(pasted, source, expected):
    data = pasted.encode("cp1252")
    assert detect(data) == source
    assert convert(data).text == expected


ORDINARY = [
    "Tiếng Việt là ngôn ngữ chính thức của Việt Nam.",
    "Công văn số 123/BCT-VP về việc báo cáo tình hình.",
    "Tôi là ai",
    "cà phê",
    "Ôi",
    "The minister's office replied: \"Don't you think it's late?\" I'm sure we'll see.",
    "Is it ok? Yes. So... me. Go! Who's there? Y'all.",
    "e.g. a.m. p.m. i.e. U.S.A. O'Brien rock'n'roll `code` ~user C++ f(a(x)) x^2",
    "Élève à l'école, où est la gare? Déjà vu.",
    "Où est-il? Là-bas, à côté de l'église, près du café.",
    "Il est à Paris, à Lyon et à Nice; où vas-tu? où? où?",
    "«Bonjour», dit-il. Noël, naïve, maître, hôtel, août.",
    "Grüße, Straße",
    "Schöne Grüße aus München, Müller & Söhne, Größe XL, Äpfel, Öl, Übung.",
    "Año nuevo, niño, señor. ¿Qué? ¡Olé!",
    "Hội nghị Paris (Conférence de Paris) bàn về Grüße aus Deutschland.",
    "where",
    "",
    "   \n\t",
    "123/2024/NĐ-CP",
    "Ent\u00adwick\u00adlung",  # German with soft hyphens: kept
    "😀 Xin chào 👋",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_unicode_text_is_left_untouched(text):
    assert detect(text) == "unicode"
    result = convert(text)
    assert (result.text, result.source, result.changed) == (text, "unicode", False)


def test_ordinary_text_in_utf8_bytes_is_unicode():
    for text in ORDINARY:
        assert convert(text.encode()).text == text


def test_decomposed_unicode_is_recomposed_to_nfc():
    nfd = unicodedata.normalize("NFD", "Tiếng Việt, Đặng Thị Ộ")
    assert nfd != "Tiếng Việt, Đặng Thị Ộ"
    assert detect(nfd) == "unicode"
    result = convert(nfd)
    assert (result.text, result.source, result.changed) == ("Tiếng Việt, Đặng Thị Ộ", "unicode", True)
    # Windows-1258 style: precomposed base letter plus a combining tone
    assert convert("Vie\u0323\u0302t va\u0300 Vi\u00ea\u0323t").text == "Việt và Việt"


def test_soft_hyphen_survives_until_the_encoding_is_known():
    # In TCVN3, 0xAD is ư: a sanitiser stripping U+00AD would lose letters.
    assert convert("Tr\xadêng §¹i häc").text == "Trường Đại học"
    assert convert(b"Tr\xad\xeang \xa7\xb9i h\xe4c").text == "Trường Đại học"
    assert convert("Thư\u00ad viện").text == "Thư\u00ad viện"


def test_legacy_reading_needs_a_clear_winner_or_the_text_is_left_alone():
    # "tæ" is TCVN3 for "tổ" and VNI for "tỉ": both readings are Vietnamese.
    assert detect("tæ") == "unicode"
    assert convert("tæ").text == "tæ"
    # the clerk's explicit choice decides
    assert convert("tæ", source="tcvn3").text == "tổ"
    assert convert("tæ", source="vni").text == "tỉ"


def test_latin1_only_vietnamese_is_not_reread_as_vni():
    # "ô" is VNI's ơ; Unicode "Tôi" already reads perfectly, so it stays.
    assert convert("Tôi là ai").text == "Tôi là ai"
    assert convert("Tôi là ai", source="vni").text == "Tơi là ai"


def test_a_lone_vowel_word_is_too_little_evidence():
    assert detect("où") == "unicode"
    assert detect("me.") == "unicode"
    assert detect("I'm") == "unicode"


@pytest.mark.parametrize(
    ("symbol", "expected"), [("Q§-BCT", "QĐ-BCT"), ("123/2024/N§-CP", "123/2024/NĐ-CP"), ("28/C§-UBND", "28/CĐ-UBND")]
)
def test_tcvn3_document_symbol_alone_is_converted(symbol, expected):
    assert detect(symbol) == "tcvn3"
    assert convert(symbol).text == expected


def test_section_sign_in_latin1_text_is_not_tcvn3():
    for text in ("§ 3 Abs. 2 BGB", "Art. 5 §2", "§§ 12-14"):
        assert convert(text).text == text


def test_tcvn3_capital_font_words_are_restored_by_context():
    assert convert("Tõ ngµy 01/01/2025").text == "Từ ngày 01/01/2025"
    assert convert("Tõ NGµY 01/01/2025").text == "TỪ NGÀY 01/01/2025"
    # an abbreviation without a vowel does not make its neighbour a capital
    assert convert("ë H§ND tØnh").text == "ở HĐND tỉnh"


def test_tcvn3_toned_capital_at_the_start_of_a_title_case_word_reads_lowercase():
    # .VnTime has no toned capitals: "Ủy" was typed in .VnTimeH as the lowercase byte,
    # and the font is lost in plain text. The clerk sees it in the before/after notice.
    assert convert("ñy ban nh©n d©n tØnh").text == "ủy ban nhân dân tỉnh"


def test_non_utf8_bytes_without_vietnamese_are_read_as_windows_1252():
    data = "Élève à l'école – “déjà”".encode("cp1252")
    assert detect(data) == "unicode"
    assert convert(data).text == "Élève à l'école – “déjà”"


def test_byte_order_marks_are_honoured():
    text = "Tiếng Việt"
    assert convert(codecs.BOM_UTF8 + text.encode()).text == text
    assert convert(codecs.BOM_UTF16_LE + text.encode("utf-16-le")).text == text
    assert convert(codecs.BOM_UTF16_BE + text.encode("utf-16-be")).text == text


def test_unknown_source_is_refused():
    with pytest.raises(ValueError, match="unknown source"):
        convert("x", source="cp1258")  # type: ignore[arg-type]
