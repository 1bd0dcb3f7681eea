"""Which encoding a text is in: Unicode, or TCVN3, VNI or VIQR seen as mojibake.

Every candidate decoder is run and each reading is scored by how many of its words are
valid Vietnamese syllables (domain.md §8.3). A legacy reading wins only when it is
clearly better than taking the text as it is, so English, French, German and ordinary
Vietnamese are left alone:

* the words it changes are nearly all valid syllables (≥ 80 %), and there is enough of
  them (three, or a text that reads as Vietnamese overall: ≥ 70 % valid words);
* the whole text reads better than before (a higher share of valid words): Unicode
  Vietnamese that only uses Latin-1 letters ("cà phê", "Tôi") already reads perfectly,
  so no reading can beat it;
* for VIQR, at least one changed word carries a mark English does not use that way
  (^ ( + ` ~, dd, or a tone mark inside a word after a consonant and a vowel): "me.",
  "so?", "I'm" are not enough;
* it beats the other acceptable readings clearly: a share of valid words higher by
  0.1, or twice their net score (valid minus invalid changed words); otherwise the
  text is ambiguous and stays as it is: the clerk can still convert it explicitly.

Words are whitespace-separated; every decoder keeps whitespace where it is, so the
n-th word of a reading is the n-th word of the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from vanban.documents.text import tcvn3, viqr, vni
from vanban.documents.text.syllables import is_syllable

Source = Literal["unicode", "tcvn3", "vni", "viqr"]
LEGACY_DECODERS: dict[Source, Callable[[str], str]] = {
    "tcvn3": tcvn3.decode,
    "vni": vni.decode,
    "viqr": viqr.decode,
}

# Detection reads at most this much of a text: a megabyte of mojibake is no clearer
# than its first pages, and the choice stays fast.
SAMPLE_CHARS = 200_000

# Characters of the Windows-1252 reading (plus the C1 controls of its five unused
# bytes): legacy text pasted or read from bytes contains nothing else. Anything beyond
# (ơ, ư, đ, ạ–ỹ, combining marks, CJK ...) means the text is Unicode already.
_CP1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0x100))
_BEYOND_CP1252 = re.compile(f"[^\\x00-\\x9f{re.escape(_CP1252)}]")
_VIQR_HINT = re.compile(r"[aeiouyAEIOUY][\^(+'`?~.]|[dD][dD]")
# Punctuation around a word is dropped ("(bạn),"); inside a word only joiners split it
# into syllables ("Hà-Nội", "V/v", "123/QĐ-BCT"). Other marks inside a word (VIQR's
# "No^.i", TCVN3's "c¸c") make it no syllable at all, and so do VIQR marks that never end
# an ordinary word ("the`", "u+"). The soft hyphen U+00AD is not punctuation here: in
# TCVN3 it is the letter ư.
_PUNCTUATION = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum()) + "".join(
    chr(c) for c in range(0x2000, 0x2070)
)
_TRAILING_PUNCTUATION = "".join(c for c in _PUNCTUATION if c not in "`~^+(")
_ABBREVIATION = re.compile(r"[A-ZĐ\d]{1,6}")
_JOINERS = re.compile(r"[-/,;:_|&\u2010-\u2015]+")
# VIQR marks that English text does not put after a vowel that way.
_VIQR_STRONG = re.compile(
    r"[aeoAEO]\^|[aA]\(|[ouOU]\+|[aeiouyAEIOUY][`~]|[dD][dD]"
    r"|[b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z][a-zA-Z]*[aeiouyAEIOUY]['?.][a-zA-Z]"
)
_TCVN3_SYMBOL = re.compile("[A-Z]§|§[A-Z]")
_CONSONANT = re.compile(r"[b-df-hj-np-tv-zđB-DF-HJ-NP-TV-ZĐ]")

_ACCEPT_CHANGED_SHARE = 0.8
_ACCEPT_TEXT_SHARE = 0.7
_ACCEPT_MIN_WORDS = 3
_CLEAR_SHARE_MARGIN = 0.1


@dataclass(frozen=True)
class Reading:
    source: Source
    evidence: int  # distinct changed words, with a consonant, that became valid syllables
    bad: int  # distinct changed words that became no syllable
    strong: int  # for VIQR: valid changed words with an unmistakable mark
    share: float  # valid words / words with letters, over the whole reading

    @property
    def net(self) -> int:
        return self.evidence - self.bad


def detect_text(text: str) -> Source:
    """The encoding of a text already turned into characters (see module doc)."""
    if not text or _BEYOND_CP1252.search(text):
        return "unicode"
    sample = _sample(text)
    candidates: list[Source] = ["viqr"] if sample.isascii() else ["tcvn3", "vni", "viqr"]
    if "viqr" in candidates and not _VIQR_HINT.search(sample):
        candidates.remove("viqr")
    if not candidates:
        return "unicode"
    words = sample.split()
    base_share = _share(words)
    readings: list[Reading] = []
    for source in candidates:
        reading = _read(source, words, LEGACY_DECODERS[source](sample).split(), base_share)
        if reading is not None:
            readings.append(reading)
    if not readings:
        return "unicode"
    readings.sort(key=lambda r: (r.share, r.net), reverse=True)
    best = readings[0]
    for other in readings[1:]:
        if other.share > best.share - _CLEAR_SHARE_MARGIN and other.net * 2 > best.net:
            return "unicode"
    return best.source


def _read(source: Source, words: list[str], decoded: list[str], base_share: float) -> Reading | None:
    """Score one legacy reading; None when it is not acceptable."""
    if len(decoded) != len(words):  # cannot happen: decoders keep whitespace
        return None
    # Distinct words, so one word repeated (French "où" read as VNI "ó") is one piece of
    # evidence; and words of a bare vowel ("ó", "ở") say too little to count.
    good: set[str] = set()
    wrong: set[str] = set()
    strong = 0
    for before, after in zip(words, decoded, strict=True):
        if before == after:
            continue
        verdict = word_verdict(after)
        if verdict is None:
            # "Q§-BCT": § glued to a capital is TCVN3's Đ in a document symbol (Latin-1
            # text writes "§ 3"), so a symbol field alone still converts.
            if source == "tcvn3" and _TCVN3_SYMBOL.search(before):
                good.add(after)
            continue
        if not verdict:
            wrong.add(after)
            continue
        if source == "viqr" and _VIQR_STRONG.search(before):
            strong += 1
        if _CONSONANT.search(after):
            good.add(after)
    evidence, bad = len(good), len(wrong)
    share = _share(decoded)
    reading = Reading(source, evidence, bad, strong, share)
    accepted = (
        evidence >= 1
        and evidence >= _ACCEPT_CHANGED_SHARE * (evidence + bad)
        and (evidence >= _ACCEPT_MIN_WORDS or share >= _ACCEPT_TEXT_SHARE)
        and share > base_share
        and (source != "viqr" or strong >= 1)
    )
    return reading if accepted else None


def _share(words: list[str]) -> float:
    """Valid words among those that say something; a text of numbers and
    abbreviations only has nothing wrong with it (1.0)."""
    judged = valid = 0
    for word in words:
        verdict = word_verdict(word)
        if verdict is not None:
            judged += 1
            valid += verdict
    return valid / judged if judged else 1.0


@lru_cache(maxsize=65536)
def word_verdict(word: str) -> bool | None:
    """True when every syllable of a whitespace-separated word is valid Vietnamese,
    False when one is not, None when it has no letters or is an abbreviation in
    capitals ("QĐ", "UBND"), which says nothing about the encoding."""
    stripped = word.lstrip(_PUNCTUATION).rstrip(_TRAILING_PUNCTUATION)
    parts = [p for p in _JOINERS.split(stripped) if any(c.isalpha() for c in p)]  # "Điều-1": the 1 says nothing
    if not parts:
        return None
    valid = [is_syllable(p) for p in parts]
    if not any(valid) and all(_ABBREVIATION.fullmatch(p) for p in parts):
        return None
    return all(valid)


def _sample(text: str) -> str:
    if len(text) <= SAMPLE_CHARS:
        return text
    cut = text.rfind(" ", 0, SAMPLE_CHARS)
    return text[: cut if cut > 0 else SAMPLE_CHARS]
