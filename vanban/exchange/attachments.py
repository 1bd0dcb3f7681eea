"""Attachment payloads: strict base64, and the ZIP wrapper VNPT puts around files.

VNPT's library zips every attachment and names the single entry with a random UUID,
sometimes labelling the ZIP with the file's own content type (fixtures README). When a
payload is a ZIP holding exactly one file, and the attachment's name is not itself a
ZIP-based format (a .zip, .docx, .xlsx, .odt sent as such), the real file is that
entry. Nothing is extracted to disk (so an entry name like "../../x" cannot escape):
the entry is read into memory through a size cap that does not trust the sizes the
archive declares, and archives whose ratio or size look like a zip bomb are refused.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile
import zlib

from django.conf import settings

from vanban.exchange.errors import EdxmlError

ZIP_MAGIC = b"PK\x03\x04"
ZIP_CONTENT_TYPE = "application/zip"
# Formats that are ZIP archives by design: sent as such, never unwrapped.
ZIP_BASED_EXTENSIONS = frozenset({".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub", ".jar"})
DEFAULT_MAX_UNZIPPED_MB = 100
MAX_RATIO = 200  # compressed → uncompressed; office files and text stay far below
RATIO_FLOOR = 1024 * 1024  # small entries may compress better without being a bomb
MAX_ENTRIES = 10_000
_WHITESPACE = re.compile(rb"\s+")
_CHUNK = 1024 * 1024


def max_unzipped_bytes() -> int:
    """VANBAN_EDXML_MAX_UNZIPPED_MB, else the upload limit (VANBAN_MAX_UPLOAD_MB): an
    unwrapped attachment is stored like an upload."""
    default = getattr(settings, "VANBAN_MAX_UPLOAD_MB", DEFAULT_MAX_UNZIPPED_MB)
    return int(float(getattr(settings, "VANBAN_EDXML_MAX_UNZIPPED_MB", default)) * 1024 * 1024)


def format_mb(limit: int) -> str:
    """ "50 MB", "0,3 MB" (Vietnamese decimal comma)."""
    return f"{round(limit / (1024 * 1024), 2):g}".replace(".", ",") + " MB"


def decode_base64(text: str, name: str) -> bytes:
    """Strict base64, possibly wrapped over lines. commons-codec (the VNPT library) drops
    every non-base64 character and so turns an unfilled template into garbage bytes; a
    payload that is not base64 is refused here instead."""
    try:
        raw = _WHITESPACE.sub(b"", text.encode("ascii"))
        data = base64.b64decode(raw, validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        preview = text.strip()[:40]
        raise EdxmlError(
            "invalid_base64",
            f"Nội dung tệp đính kèm «{name}» không phải dữ liệu base64 hợp lệ (bắt đầu bằng «{preview}»).",
            "Attachment/ContentTransferEncoded",
        ) from None
    if not data:
        raise EdxmlError("empty_attachment", f"Tệp đính kèm «{name}» rỗng (0 byte).", "Attachment/ContentTransferEncoded")
    return data


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def is_zip_based_name(name: str) -> bool:
    dot = name.rfind(".")
    return dot >= 0 and name[dot:].lower() in ZIP_BASED_EXTENSIONS


def guess_content_type(name: str, data: bytes) -> str:
    """For an attachment that declares none: ZIP by its magic, else by its name."""
    if is_zip(data) and not is_zip_based_name(name):
        return ZIP_CONTENT_TYPE
    import mimetypes

    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def _broken(name: str, detail: str = "") -> EdxmlError:
    suffix = f" ({detail})" if detail else ""
    return EdxmlError(
        "broken_zip",
        f"Tệp đính kèm «{name}» là tệp nén ZIP bị hỏng hoặc không đọc được{suffix}.",
        "Attachment/ContentTransferEncoded",
    )


def unwrap(data: bytes, name: str) -> tuple[bytes, str] | None:
    """(file bytes, entry name) when `data` is a one-file ZIP wrapper, else None."""
    if not is_zip(data) or is_zip_based_name(name):
        return None
    limit = max_unzipped_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise _broken(name, f"quá {MAX_ENTRIES} mục")
            files = [info for info in infos if not info.is_dir()]
            if len(files) != 1:
                return None  # a real archive of several files: kept as sent
            info = files[0]
            if info.flag_bits & 0x1:
                raise EdxmlError(
                    "encrypted_zip",
                    f"Tệp đính kèm «{name}» là tệp nén có mật khẩu: không đọc được nội dung.",
                    "Attachment/ContentTransferEncoded",
                )
            if info.file_size > limit:
                raise _too_large(name, limit)
            out = bytearray()
            with archive.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    out += chunk
                    if len(out) > limit:
                        raise _too_large(name, limit)
                    if len(out) > RATIO_FLOOR and len(out) > MAX_RATIO * max(info.compress_size, 1):
                        raise EdxmlError(
                            "zip_bomb",
                            f"Tệp đính kèm «{name}» giải nén ra lớn bất thường so với tệp nén (nghi là «bom nén»): "
                            "không nhận.",
                            "Attachment/ContentTransferEncoded",
                        )
            return bytes(out), info.filename
    except EdxmlError:
        raise
    # zipfile raises all of these on damaged archives (bad CRC, truncated stream,
    # unsupported compression method, inconsistent headers).
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, OSError,
            ValueError, zlib.error, KeyError, IndexError, OverflowError) as exc:  # fmt: skip
        raise _broken(name) from exc


def _too_large(name: str, limit: int) -> EdxmlError:
    return EdxmlError(
        "attachment_too_large",
        f"Tệp đính kèm «{name}» khi giải nén lớn hơn giới hạn {format_mb(limit)}.",
        "Attachment/ContentTransferEncoded",
    )


def encode_base64(data: bytes) -> str:
    """On one line: the safest for the receivers' parsers (fixtures README)."""
    return base64.b64encode(data).decode("ascii")
