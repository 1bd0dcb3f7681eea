"""The Vietnamese text guard (TCVN 6909:2001): everything stored is Unicode NFC.

Text typed or pasted from documents in the legacy encodings arrives as mojibake:
TCVN3/ABC (".VnTime" fonts: "Xin chµo c¸c b¹n"), VNI-Windows ("Toâi ñi hoïc") or VIQR
("Tie^'ng Vie^.t"); Word may also paste decomposed Unicode (NFD). This package detects
those and converts them to NFC, and leaves ordinary Unicode (Vietnamese, English,
French, German ...) as it is.

    detect(data)                 → "unicode" | "tcvn3" | "vni" | "viqr"
    convert(data, source="auto") → ConversionResult(text, source, changed)
    normalise_field(value)       → FieldConversion(original, converted, source)
    guard_text(value)            → (NFC text, FieldConversion or None)

`data` is a str (a form field, an API body) or the raw bytes of a file. Bytes that are
valid UTF-8 are read as UTF-8 (a BOM, UTF-8 or UTF-16, is honoured); other bytes are
8-bit text and are read as Windows-1252 first, which is exactly how a browser shows a
legacy document, so files and pasted text take the same path. Non-UTF-8 bytes in no
Vietnamese legacy encoding are reported as "unicode" and converted from Windows-1252.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Literal, get_args

from vanban.documents.text.detection import LEGACY_DECODERS, Source, detect_text
from vanban.documents.text.letters import nfc

__all__ = [
    "SOURCES",
    "SOURCE_LABELS",
    "ConversionResult",
    "FieldConversion",
    "Source",
    "SourceOption",
    "convert",
    "detect",
    "guard_text",
    "normalise_field",
    "read_bytes",
]

SourceOption = Literal["auto", "unicode", "tcvn3", "vni", "viqr"]
SOURCES: tuple[Source, ...] = get_args(Source)
SOURCE_LABELS: dict[str, str] = {
    "unicode": "Unicode",
    "tcvn3": "TCVN3 (ABC, phông .VnTime)",
    "vni": "VNI-Windows (phông VNI-Times)",
    "viqr": "VIQR",
}

# Windows-1252 leaves five bytes undefined; they map to the C1 control of the same
# number, so any byte string reads as text and maps back to the same bytes.
_CP1252_TABLE = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(0x80, 0xA0)}


@dataclass(frozen=True)
class ConversionResult:
    text: str  # NFC
    source: Source
    changed: bool  # the text differs from the source as read (UTF-8 or Windows-1252)


@dataclass(frozen=True)
class FieldConversion:
    """What the guard did to one form field, for the before/after notice and its undo."""

    original: str
    converted: str
    source: Source

    @property
    def changed(self) -> bool:
        return self.original != self.converted

    @property
    def description(self) -> str:
        """The notice shown beside the field, in Vietnamese."""
        if self.source == "unicode":
            return "Đã chuyển chữ Unicode tổ hợp sang Unicode dựng sẵn (NFC)."
        return f"Đã chuyển từ bảng mã {SOURCE_LABELS[self.source]} sang Unicode."

    def undo(self) -> str:
        """The value when the clerk rejects the conversion: as typed, but still NFC
        (the storage rule holds either way; for legacy text NFC changes nothing)."""
        return nfc(self.original)


def read_bytes(data: bytes) -> str:
    """Bytes as characters: UTF-8 (or UTF-16/UTF-8 with a BOM) when they are that,
    otherwise their Windows-1252 reading (see the module doc)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1").translate(_CP1252_TABLE)


def _as_text(data: bytes | str) -> str:
    return read_bytes(bytes(data)) if isinstance(data, bytes | bytearray) else data


def detect(data: bytes | str) -> Source:
    """The encoding of a text or of a file's bytes: unicode, tcvn3, vni or viqr."""
    return detect_text(_as_text(data))


def convert(data: bytes | str, source: SourceOption = "auto") -> ConversionResult:
    """The text as Unicode NFC. With source="auto" the encoding is detected; otherwise
    the given one is applied (a clerk's or script's explicit choice is not second-guessed)."""
    text = _as_text(data)
    chosen: Source = detect_text(text) if source == "auto" else source
    if chosen not in SOURCES:
        raise ValueError(f"unknown source encoding: {source!r}")
    converted = nfc(text) if chosen == "unicode" else LEGACY_DECODERS[chosen](text)
    return ConversionResult(text=converted, source=chosen, changed=converted != text)


def normalise_field(value: str) -> FieldConversion:
    """A form field after the guard, with what it was: for fields that receive pasted
    mojibake or NFD as characters."""
    result = convert(value)
    return FieldConversion(original=value, converted=result.text, source=result.source)


def guard_text(value: str) -> tuple[str, FieldConversion | None]:
    """What services call on every text field: the NFC text, and the conversion record
    when a legacy encoding or NFD was found (None when the text was already NFC)."""
    record = normalise_field(value)
    return record.converted, record if record.changed else None
