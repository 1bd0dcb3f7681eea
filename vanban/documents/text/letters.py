"""The Vietnamese alphabet as data: base vowels, shapes and tones, so every legacy table
is built from the same description and cannot forget a letter."""

from __future__ import annotations

import unicodedata

# The tone marks in the order the TCVN3 code chart lists them (ngang, huyền, hỏi, ngã,
# sắc, nặng); the other tables index tones the same way.
TONE_MARKS: tuple[str, ...] = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
ACUTE, DOT = TONE_MARKS[4], TONE_MARKS[5]  # the only tones of syllables closed by p, t, c, ch

CIRCUMFLEX = "\u0302"
BREVE = "\u0306"
HORN = "\u031b"
SHAPE_MARKS = (CIRCUMFLEX, BREVE, HORN)

# The twelve vowels, each written as its ASCII base and the shape mark it carries.
VOWELS: tuple[tuple[str, str], ...] = (
    ("a", ""),
    ("a", BREVE),
    ("a", CIRCUMFLEX),
    ("e", ""),
    ("e", CIRCUMFLEX),
    ("i", ""),
    ("o", ""),
    ("o", CIRCUMFLEX),
    ("o", HORN),
    ("u", ""),
    ("u", HORN),
    ("y", ""),
)


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def vowel(base: str, shape: str = "", tone: int = 0) -> str:
    """One precomposed vowel, e.g. vowel("o", CIRCUMFLEX, 4) == "ố"."""
    return nfc(base + shape + TONE_MARKS[tone])


def split_vowel(letter: str) -> tuple[str, str, int] | None:
    """The ASCII base, shape mark and tone index of a Vietnamese vowel (any case), or
    None for anything else."""
    decomposed = unicodedata.normalize("NFD", letter)
    base, marks = decomposed[:1], decomposed[1:]
    if base.lower() not in "aeiouy" or not base:
        return None
    shape = "".join(m for m in marks if m in SHAPE_MARKS)
    tones = [m for m in marks if m in TONE_MARKS[1:]]
    if len(shape) > 1 or len(tones) > 1 or len(shape) + len(tones) != len(marks):
        return None
    if (base.lower(), shape) not in VOWELS:
        return None
    return base, shape, TONE_MARKS.index(tones[0]) if tones else 0
