"""VIQR (RFC 1456): Vietnamese in plain ASCII, marks typed after the vowel.

Shape marks: ^ (â ê ô), ( (ă), + (ơ ư); tones: ' sắc, ` huyền, ? hỏi, ~ ngã, . nặng;
"dd"/"DD"/"Dd" is đ/Đ; a backslash makes the next mark (or d) literal: "ddi\\." is
"đi." and not "đị".

Decoding follows the RFC: a mark right after a vowel is a mark. One guard keeps common
unescaped punctuation readable: a word carries one tone, so a second tone mark in the
same word is punctuation ("No^.i." → "Nội.", not "Nộị."). :func:`encode` escapes every
literal mark that could bind, so encoded text always decodes back exactly.
"""

from __future__ import annotations

import re

from vanban.documents.text.letters import BREVE, CIRCUMFLEX, HORN, TONE_MARKS, nfc, split_vowel

_SHAPE = {"^": CIRCUMFLEX, "(": BREVE, "+": HORN}
_SHAPE_CODE = {mark: code for code, mark in _SHAPE.items()}
_TONE_CODES = ("", "`", "?", "~", "'", ".")  # indexed like letters.TONE_MARKS
_SHAPES_OF = {"a": "^(", "e": "^", "o": "^+", "u": "+"}
MARKS = "^(+'`?~."

_TOKEN = re.compile(
    r"\\(?P<escaped>[\^(+'`?~.dD\\])"
    r"|(?P<dd>[dD][dD])"
    # Only vowels followed by a mark: bare vowels are most of a text and need no work.
    r"|(?P<vowel>[aeiouyAEIOUY])(?=[\^(+'`?~.])(?P<shape>[\^(+])?(?P<tone>['`?~.])?"
)
# Anything that ends a word for the one-tone guard: not a letter or mark, or a backslash
# (an escaped character is punctuation by the writer's own choice).
_BOUNDARY = re.compile(r"[^a-zA-Z\^(+'`?~.]")

# (base, shape code, tone code) → letter, for every valid combination.
_LETTERS: dict[tuple[str, str, str], str] = {}
for _base in "aeiouyAEIOUY":
    for _shape_code in ("", *_SHAPES_OF.get(_base.lower(), "")):
        for _tone_code in _TONE_CODES:
            _LETTERS[(_base, _shape_code, _tone_code)] = nfc(
                _base + (_SHAPE[_shape_code] if _shape_code else "") + TONE_MARKS[_TONE_CODES.index(_tone_code)]
            )


def decode(text: str) -> str:
    """VIQR → Unicode NFC."""
    toned_at = -1  # position of the last tone mark applied

    def replace(match: re.Match[str]) -> str:
        nonlocal toned_at
        escaped, dd, base, shape_code, tone_code = match.group("escaped", "dd", "vowel", "shape", "tone")
        if escaped:
            return escaped
        if dd:
            return "đ" if dd[0] == "d" else "Đ"
        shape_code = shape_code or ""
        if tone_code and toned_at >= 0 and not _BOUNDARY.search(text, toned_at + 1, match.start()):
            # The word already has its tone: this mark is punctuation ("No^.i."). The
            # word stays toned from here, which also keeps the search above short.
            toned_at = match.end() - 1
            letter = _LETTERS.get((base, shape_code, ""))
            return letter + tone_code if letter else match.group()
        letter = _LETTERS.get((base, shape_code, tone_code or ""))
        if letter is None:
            return match.group()  # "i^" is not a letter: all literal
        if tone_code:
            toned_at = match.end() - 1
        return letter

    return nfc(_TOKEN.sub(replace, text))


def encode(text: str) -> str:
    """Unicode → VIQR, escaping every literal mark that a decoder would bind."""
    out: list[str] = []
    source = nfc(text)
    for i, char in enumerate(source):
        following = source[i + 1 : i + 2]
        previous = out[-1][-1:] if out else ""
        if char in "đĐ":
            out.append("dd" if char == "đ" else "DD")
        elif char in "dD":
            # "dd" would read as đ: a literal d before another d (or đ) is escaped.
            out.append("\\" + char if following and following in "dDđĐ" else char)
        elif char == "\\":
            out.append("\\\\")
        elif char in MARKS:
            out.append("\\" + char if previous and (previous.lower() in "aeiouy" or previous in MARKS) else char)
        else:
            parts = split_vowel(char) if not char.isascii() else None
            if parts is None:
                out.append(char)
            else:
                base, shape, tone = parts
                out.append(base + (_SHAPE_CODE[shape] if shape else "") + _TONE_CODES[tone])
    return "".join(out)
