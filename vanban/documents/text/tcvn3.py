"""TCVN3 (TCVN 5712:1993 VN3, the ABC keyboard and the ".VnTime" fonts).

Text is handled in its Windows-1252 reading, i.e. as the characters a browser or Word
shows when the .VnTime font is lost ("Xin chµo c¸c b¹n"); the bytes A0–FF read the same
in Latin-1 and Windows-1252, so a file's bytes and pasted text take one path.

VN3 has the 67 lowercase letters (A8–FE) and only seven capitals (A1–A7: Ă Â Ê Ô Ơ Ư
Đ). Toned capitals were written by switching to a capital font (".VnTimeH") that
draws the *lowercase* bytes as capitals, so "CỘNG HÒA" is stored as "CéNG HOµ". The
font is gone from plain text, so :func:`decode` restores capitals by context:

* a word whose letters of known case (ASCII letters, A1–A7) are all capitals, and
  which either has two or more of them ("CéNG") or a capital that is not its first
  letter ("®¹I"), is written in the capital font: its lowercase bytes become capitals;
* a word whose case cannot be told ("X·", "Tõ": a single capital first letter could be
  Title case or capitals; "ë" has no letter of known case) follows its nearest decided
  neighbours on the same line: capitals only when every such neighbour is in capitals;
* everything else keeps the lowercase letters.

What cannot be recovered stays lowercase: a toned capital at the start of a Title-case
word ("Ủy ban" was stored as "ñy ban", read back "ủy ban"), and capital-font text typed
without Shift ("céng hoµ" shown in .VnTimeH). The form shows the conversion before it is
kept, so the clerk sees and can correct such a word.

VN2/VN1 (TCVN 5712 with all capitals, what glibc's "TCVN5712-1" decodes) put toned
capitals in positions that VN3 leaves to Windows-1252: C1 controls (80–9F are the curly
quotes and dashes of every Word document) and a few A0–FF slots (À, à, ÿ ...). Those are
deliberately not mapped: reading "à" as "Ổ" would turn French into nonsense, and VN3
documents do not contain them.
"""

from __future__ import annotations

import bisect
import itertools
import re
from functools import lru_cache

from vanban.documents.text.letters import BREVE, CIRCUMFLEX, HORN, nfc, vowel

# Bytes of each toned vowel, in tone order huyền, hỏi, ngã, sắc, nặng.
_TONED: dict[tuple[str, str], tuple[int, int, int, int, int]] = {
    ("a", ""): (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    ("a", BREVE): (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    ("a", CIRCUMFLEX): (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    ("e", ""): (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    ("e", CIRCUMFLEX): (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    ("i", ""): (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    ("o", ""): (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    ("o", CIRCUMFLEX): (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    ("o", HORN): (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    ("u", ""): (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    ("u", HORN): (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    ("y", ""): (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
# 0xAD (ư) is the Latin-1 soft hyphen: it must survive until the encoding is known.
_UNTONED = {0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ"}
_CAPITALS = {0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ"}

# Lowercase letter → its one-character Windows-1252 reading.
LOWERCASE: dict[str, str] = {letter: chr(code) for code, letter in _UNTONED.items()}
for (_base, _shape), _codes in _TONED.items():
    for _tone, _code in enumerate(_codes, start=1):
        LOWERCASE[vowel(_base, _shape, _tone)] = chr(_code)
CAPITALS: dict[str, str] = {letter: chr(code) for code, letter in _CAPITALS.items()}

_DECODE = {ord(char): letter for letter, char in {**LOWERCASE, **CAPITALS}.items()}
# The same bytes read in the capital font.
_UPPER = {code: letter.upper() for code, letter in _DECODE.items()}

# Capital-font convention: toned capitals are written with the lowercase byte.
_ENCODE = {
    **{ord(letter): char for letter, char in LOWERCASE.items()},
    **{ord(letter.upper()): char for letter, char in LOWERCASE.items() if letter.upper() not in CAPITALS},
    **{ord(letter): char for letter, char in CAPITALS.items()},
}

_LOWER_CHARS = "".join(sorted(LOWERCASE.values()))
_CAPITAL_CHARS = "".join(sorted(CAPITALS.values()))
_LEGACY = re.compile(f"[{re.escape(_LOWER_CHARS + _CAPITAL_CHARS)}]")
_ASCII_LOWER = re.compile("[a-z]")
_KNOWN_UPPER_LETTER = re.compile(f"[A-Z{re.escape(_CAPITAL_CHARS)}]")
_LETTER = re.compile(f"[A-Za-z{re.escape(_LOWER_CHARS + _CAPITAL_CHARS)}]")
_VOWEL_CHARS = "aeiouyAEIOUY" + "".join(c for letter, c in {**LOWERCASE, **CAPITALS}.items() if letter not in "đĐ")
_VOWEL = re.compile(f"[{re.escape(_VOWEL_CHARS)}]")
_WORD = re.compile(r"\S+")
_LINE = re.compile(r"[^\r\n]+")
# Words without a lowercase ASCII letter: the only ones that can be in capitals. One
# quantifier, anchored at word starts, so the scan stays linear on any input.
_NO_ASCII_LOWER_WORD = re.compile(r"(?<!\S)[^\sa-z]+(?!\S)")

_CAPS, _LOWER, _UNSURE = "caps", "lower", "unsure"


def decode(text: str) -> str:
    """TCVN3 (in its Windows-1252 reading) → Unicode NFC."""
    if not _LEGACY.search(text):
        return nfc(text)
    translated = text.translate(_DECODE)
    pieces: list[str] = []
    done = 0
    # The translation keeps every position, so words found in the source are replaced
    # at the same offsets in the translation.
    for line in _LINE.finditer(text):
        # Almost all body text has no word in capitals: translated as is.
        if not any(_case_of(m.group()) == _CAPS for m in _NO_ASCII_LOWER_WORD.finditer(line.group())):
            continue
        for start, end, capitals in _capital_words(line.group()):
            offset = line.start()
            pieces.append(translated[done : offset + start])
            pieces.append(capitals)
            done = offset + end
    pieces.append(translated[done:])
    return nfc("".join(pieces))


def encode(text: str) -> str:
    """Unicode → TCVN3 (Windows-1252 reading), capitals by the capital-font convention.
    Characters TCVN3 lacks pass through unchanged."""
    return nfc(text).translate(_ENCODE)


def _capital_words(line: str) -> list[tuple[int, int, str]]:
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(line)]
    kinds = [_case_of(word) for _, _, word in words]
    decided = [i for i, kind in enumerate(kinds) if kind in (_CAPS, _LOWER)]
    result = []
    for i, (start, end, word) in enumerate(words):
        kind = kinds[i]
        if kind == _UNSURE:
            neighbours = [kinds[j] for j in _nearest(decided, i)]
            kind = _CAPS if neighbours and all(k == _CAPS for k in neighbours) else _LOWER
        if kind == _CAPS:
            result.append((start, end, word.translate(_UPPER)))
    return result


@lru_cache(maxsize=16384)
def _case_of(word: str) -> str | None:
    """caps, lower or unsure for a word with TCVN3 letters; None (no say) otherwise.
    Abbreviations without a vowel ("HĐND", "QĐ") have no say either: they are written
    in capitals whatever the font of the words around them."""
    if not _LEGACY.search(word) or not _VOWEL.search(word):
        return None
    # Letters of known case are ASCII letters and the VN3 capitals, so a lowercase one
    # is an ASCII letter: the word is in the normal font.
    if _ASCII_LOWER.search(word):
        return _LOWER
    capitals = [m.start() for m in itertools.islice(_KNOWN_UPPER_LETTER.finditer(word), 2)]
    if len(capitals) >= 2:
        return _CAPS
    if len(capitals) == 1:
        first_letter = _LETTER.search(word)
        return _UNSURE if first_letter and first_letter.start() == capitals[0] else _CAPS
    return _UNSURE


def _nearest(decided: list[int], i: int) -> list[int]:
    at = bisect.bisect_left(decided, i)
    return decided[max(at - 1, 0) : at] + decided[at : at + 1]
