"""Vietnamese folding and tokenising shared by the index and the queries.

A token is a run of letters and digits, lowercased and NFC. Its folded form drops the
tone and shape marks and maps đ→d, so "Công văn" folds to "cong van". The index keeps
both forms of every token at the same position: a query word typed with diacritics
matches only that exact form; a word typed without matches every form."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TOKEN = 60
# PostgreSQL clamps tsvector positions at 16383; a longer text keeps its first tokens.
MAX_TOKENS = 16000

def fold(text: str) -> str:
    """Lowercase, no Vietnamese diacritics, đ→d."""
    if len(text) <= 40:
        return _fold_word(text)
    return _fold(text)


@lru_cache(maxsize=200_000)
def _fold_word(text: str) -> str:
    # Words repeat endlessly (indexing, snippets): fold each distinct one once.
    return _fold(text)


def _base_letters() -> dict[int, str]:
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "d"}
    for code in range(0x00C0, 0x2000):
        ch = chr(code)
        decomposed = unicodedata.normalize("NFD", ch)
        if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
            table[code] = decomposed[0].lower()
    return table


# Precomposed letters → their base letter, applied by str.translate (C speed): folding
# whole texts for snippets and indexing must not cost a Python step per character.
_BASE = _base_letters()
_COMBINING_RE = re.compile(r"[\u0300-\u036f]")


def _fold(text: str) -> str:
    folded = text.lower().translate(_BASE)
    if _COMBINING_RE.search(folded):  # decomposed (NFD) input: drop the marks themselves
        decomposed = unicodedata.normalize("NFD", folded)
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded


def nfc_lower(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def tokens(text: str) -> list[str]:
    """The exact (lowercase NFC) tokens of a text, in order."""
    return [t[:MAX_TOKEN] for t in TOKEN_RE.findall(nfc_lower(text))][:MAX_TOKENS]


def has_marks(token: str) -> bool:
    return fold(token) != token.lower()
