"""Every Vietnamese letter, with every tone, in both cases, through each legacy encoding.

The expected values come from outside the converter: the alphabet from Unicode
character names, TCVN3 from glibc's iconv (TCVN5712-1), VNI from the published
VNI-Windows chart written out below, VIQR from RFC 1456's mark characters."""

from __future__ import annotations

import subprocess
import unicodedata

import pytest

from vanban.documents.tests.text_strategies import ALPHABET
from vanban.documents.text import convert, read_bytes, tcvn3, viqr, vni

LOWER = sorted(c for c in ALPHABET if c.islower())
UPPER = sorted(c for c in ALPHABET if c.isupper())
VN3_CAPITALS = {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}


def iconv(data: bytes, source: str, target: str) -> bytes:
    return subprocess.run(["iconv", "-f", source, "-t", target], input=data, capture_output=True, check=True).stdout


def test_the_alphabet_has_67_letters_outside_ascii_in_each_case():
    assert len(LOWER) == len(UPPER) == 67
    assert {c.upper() for c in LOWER} == set(UPPER)
    assert {"ế", "ộ", "ữ", "ỵ", "đ", "ă", "Ặ", "Ỹ", "Đ"} <= set(ALPHABET)


# --- TCVN3 --------------------------------------------------------------------------


def _iconv_tcvn3_bytes(letters: list[str]) -> dict[str, bytes]:
    encoded = iconv("\n".join(letters).encode(), "UTF-8", "TCVN5712-1").split(b"\n")
    return dict(zip(letters, encoded, strict=True))


def test_tcvn3_lowercase_letters_match_glibc_iconv_both_ways():
    oracle = _iconv_tcvn3_bytes(LOWER)
    for letter, code in oracle.items():
        assert len(code) == 1, (letter, code)
        assert tcvn3.encode(letter).encode("cp1252") == code, letter
        assert convert(code, source="tcvn3").text == letter, letter
        # and inside a word, read from raw bytes with the encoding detected
        assert convert(b"Ch" + code + b"o b\xb9n c\xb8c", source="tcvn3").text == f"Ch{letter}o bạn các"


def test_tcvn3_decodes_every_vn3_byte_as_iconv_does_and_keeps_the_rest():
    decoded = iconv(b"\n".join(bytes([b]) for b in range(0xA1, 0x100)), "TCVN5712-1", "UTF-8").decode().split("\n")
    kept = []
    for byte, expected in zip(range(0xA1, 0x100), decoded, strict=True):
        ours = convert(bytes([byte]), source="tcvn3").text
        if expected.islower() or expected in VN3_CAPITALS:
            assert ours == expected, hex(byte)
        else:
            # VN1 puts toned capitals and combining tones here; VN3 does not, and these
            # bytes keep their Windows-1252 reading (À, à, ÿ, °, ± ...).
            assert unicodedata.combining(expected) or expected.isupper(), hex(byte)
            assert ours == bytes([byte]).decode("cp1252"), hex(byte)
            kept.append(byte)
    assert len(kept) == 0xFF - 0xA0 - 67 - 7


def test_tcvn3_leaves_ascii_and_the_windows_1252_punctuation_alone():
    data = bytes(range(0x20, 0x7F)) + "\u201c\u201d\u2013\u2026€".encode("cp1252")
    assert convert(data, source="tcvn3").text == data.decode("cp1252")


def test_tcvn3_capitals_use_the_seven_vn3_capitals_or_the_lowercase_byte():
    oracle = _iconv_tcvn3_bytes([c.lower() for c in UPPER])
    for capital in UPPER:
        expected = bytes([VN3_CAPITALS[capital]]) if capital in VN3_CAPITALS else oracle[capital.lower()]
        assert tcvn3.encode(capital).encode("cp1252") == expected, capital


@pytest.mark.parametrize("capital", UPPER)
def test_tcvn3_capital_is_restored_inside_a_word_in_capitals(capital):
    code = tcvn3.encode(capital).encode("cp1252")
    assert convert(b"NG" + code + b"NG", source="tcvn3").text == f"NG{capital}NG"
    # a word of its own, between words in the capital font
    assert convert(b"C\xe9NG " + code + b" VI\xd6T", source="tcvn3").text == f"CỘNG {capital} VIỆT"
    # after a Title-case capital the same byte is the lowercase letter
    assert (
        convert(b"Q" + code + b"n", source="tcvn3").text
        == f"Q{capital.lower() if capital not in VN3_CAPITALS else capital}n"
    )


# --- VNI ------------------------------------------------------------------------------

# The VNI-Windows chart: each row is a vowel with tone ngang, sắc, huyền, hỏi, ngã, nặng.
VNI_CHART = """
a á à ả ã ạ        | a aù aø aû aõ aï
â ấ ầ ẩ ẫ ậ        | aâ aá aà aå aã aä
ă ắ ằ ẳ ẵ ặ        | aê aé aè aú aü aë
e é è ẻ ẽ ẹ        | e eù eø eû eõ eï
ê ế ề ể ễ ệ        | eâ eá eà eå eã eä
i í ì ỉ ĩ ị        | i í ì æ ó ò
o ó ò ỏ õ ọ        | o où oø oû oõ oï
ô ố ồ ổ ỗ ộ        | oâ oá oà oå oã oä
ơ ớ ờ ở ỡ ợ        | ô ôù ôø ôû ôõ ôï
u ú ù ủ ũ ụ        | u uù uø uû uõ uï
ư ứ ừ ử ữ ự        | ö öù öø öû öõ öï
y ý ỳ ỷ ỹ ỵ        | y yù yø yû yõ î
đ                  | ñ
A Á À Ả Ã Ạ        | A AÙ AØ AÛ AÕ AÏ
Â Ấ Ầ Ẩ Ẫ Ậ        | AÂ AÁ AÀ AÅ AÃ AÄ
Ă Ắ Ằ Ẳ Ẵ Ặ        | AÊ AÉ AÈ AÚ AÜ AË
E É È Ẻ Ẽ Ẹ        | E EÙ EØ EÛ EÕ EÏ
Ê Ế Ề Ể Ễ Ệ        | EÂ EÁ EÀ EÅ EÃ EÄ
I Í Ì Ỉ Ĩ Ị        | I Í Ì Æ Ó Ò
O Ó Ò Ỏ Õ Ọ        | O OÙ OØ OÛ OÕ OÏ
Ô Ố Ồ Ổ Ỗ Ộ        | OÂ OÁ OÀ OÅ OÃ OÄ
Ơ Ớ Ờ Ở Ỡ Ợ        | Ô ÔÙ ÔØ ÔÛ ÔÕ ÔÏ
U Ú Ù Ủ Ũ Ụ        | U UÙ UØ UÛ UÕ UÏ
Ư Ứ Ừ Ử Ữ Ự        | Ö ÖÙ ÖØ ÖÛ ÖÕ ÖÏ
Y Ý Ỳ Ỷ Ỹ Ỵ        | Y YÙ YØ YÛ YÕ Î
Đ                  | Ñ
"""
VNI = {
    letter: code
    for row in VNI_CHART.strip().splitlines()
    for letter, code in zip(*(side.split() for side in row.split("|")), strict=True)
    if not letter.isascii()
}


def test_the_vni_chart_covers_the_whole_alphabet():
    assert set(VNI) == set(ALPHABET)


@pytest.mark.parametrize("letter", sorted(VNI))
def test_vni_letter_matches_the_published_chart_both_ways(letter):
    code = VNI[letter]
    assert vni.encode(letter) == code
    assert convert(code.encode("cp1252"), source="vni").text == letter
    assert convert("Th" + code + "nh", source="vni").text == f"Th{letter}nh"


def test_vni_modifier_in_the_other_case_follows_the_base_letter():
    assert convert("Aù aÙ", source="vni").text == "Á á"


# --- VIQR -----------------------------------------------------------------------------


@pytest.mark.parametrize("letter", sorted(ALPHABET))
def test_viqr_letter_is_base_shape_and_tone_marks_both_ways(letter):
    spelled = ALPHABET[letter]
    assert viqr.encode(letter) == spelled
    assert convert(spelled, source="viqr").text == letter
    assert convert(f"Ngh{spelled}ng", source="viqr").text == f"Ngh{letter}ng"


def test_viqr_accepts_dd_in_every_case_and_escapes():
    assert convert("dd DD Dd", source="viqr").text == "đ Đ Đ"
    assert convert("ddi\\. Ca\\'c \\dd", source="viqr").text == "đi. Ca'c dd"


def test_raw_bytes_with_the_five_undefined_windows_1252_bytes_still_read():
    data = bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D])
    assert read_bytes(data) == "\x81\x8d\x8f\x90\x9d"
