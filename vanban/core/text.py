"""Text as the seed requires it: Unicode NFC (TCVN 6909:2001)."""

from __future__ import annotations

import unicodedata


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean_text(value: str | None) -> str:
    """NFC, surrounding white space removed, inner runs of spaces kept as typed."""
    if value is None:
        return ""
    return nfc(str(value)).strip()


def fold(value: str) -> str:
    """Diacritic-free, lower-case form for matching ("Đặng" → "dang")."""
    decomposed = unicodedata.normalize("NFD", nfc(value).casefold())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return stripped.replace("đ", "d").replace("ð", "d")
