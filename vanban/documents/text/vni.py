"""VNI-Windows (the "VNI-Times" fonts).

A letter is an ASCII base followed by a modifier byte (à = "aø", ấ = "aá", ặ = "aë"),
except đ, ơ, ư and the i/ỵ letters, which have one byte of their own (đ = "ñ", ơ = "ô",
ư = "ö", ỉ = "æ"). Capitals use the capital forms of the same bytes ("AØ", "Ñ"). Text is
handled in its Windows-1252 reading, which for VNI is the same as Latin-1.

The single byte "ô" means ơ; a real ô is "oâ". Decoding is therefore exact; the
collision only matters to detection ("Tôi" is Unicode Vietnamese and VNI for "Tơi"),
which is why detection prefers Unicode when both readings are equally Vietnamese.
"""

from __future__ import annotations

import re

from vanban.documents.text.letters import BREVE, CIRCUMFLEX, HORN, VOWELS, nfc, vowel

# Modifier bytes indexed by tone: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONE = ("", "ø", "û", "õ", "ù", "ï")
_CIRCUMFLEX_TONE = ("â", "à", "å", "ã", "á", "ä")  # â ê ô with each tone
_BREVE_TONE = ("ê", "è", "ú", "ü", "é", "ë")  # ă with each tone
_I = ("i", "ì", "æ", "ó", "í", "ò")  # i has one byte per tone
_HORN_BASE = {"o": "ô", "u": "ö"}  # ơ and ư are single bytes, tones follow them


def _lowercase_table() -> dict[str, str]:
    table = {"đ": "ñ"}
    for base, shape in VOWELS:
        for tone in range(6):
            if base == "i":
                code = _I[tone]
            elif base == "y" and tone == 5:
                code = "î"  # ỵ has a byte of its own
            elif shape == CIRCUMFLEX:
                code = base + _CIRCUMFLEX_TONE[tone]
            elif shape == BREVE:
                code = base + _BREVE_TONE[tone]
            elif shape == HORN:
                code = _HORN_BASE[base] + _TONE[tone]
            else:
                code = base + _TONE[tone]
            table[vowel(base, shape, tone)] = code
    return table


LOWERCASE: dict[str, str] = _lowercase_table()
# Every Latin-1 byte used here has a Latin-1 capital, and VNI capitals are exactly those.
CAPITALS: dict[str, str] = {letter.upper(): code.upper() for letter, code in LOWERCASE.items()}
_ENCODE: dict[str, str] = {letter: code for letter, code in {**LOWERCASE, **CAPITALS}.items() if letter != code}

# Decoding also accepts a modifier in the other case than its base ("Aù"): the base
# letter decides the case, as a reader of the printed page would.
_DECODE: dict[str, str] = {}
for _letter, _code in _ENCODE.items():
    _DECODE[_code] = _letter
    if len(_code) == 2:
        _DECODE[_code[0] + _code[1].swapcase()] = _letter

_MODIFIERS = "".join(sorted({c for code in _DECODE if len(code) == 2 for c in code[1]}))
_SINGLES = "".join(sorted(code for code in _DECODE if len(code) == 1))
_BASES = "".join(sorted({code[0] for code in _DECODE if len(code) == 2}))
# Two-byte sequences first, so "ôù" (ớ) is not read as "ô" (ơ) followed by "ù".
_SEQUENCE = re.compile(f"[{_BASES}][{_MODIFIERS}]|[{_SINGLES}]")


def decode(text: str) -> str:
    """VNI-Windows (Windows-1252 reading) → Unicode NFC. Sequences that are not VNI
    letters ("ñ" after nothing, "ù" after a consonant) are kept as they are."""
    return nfc(_SEQUENCE.sub(_replace, text))


def _replace(match: re.Match[str]) -> str:
    code = match.group()
    letter = _DECODE.get(code)
    if letter is not None:
        return letter
    # A base with a modifier that does not belong to it ("eê"): the base stays and the
    # second byte is read again on its own.
    return code[0] + _DECODE.get(code[1], code[1])


def encode(text: str) -> str:
    """Unicode → VNI-Windows (Windows-1252 reading); other characters pass through."""
    return "".join(_ENCODE.get(c, c) for c in nfc(text))
