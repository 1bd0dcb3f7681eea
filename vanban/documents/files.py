"""Uploads before they are stored: name sanitising, streaming to a temporary file while
hashing, type detection from the bytes, and the checks that refuse a file with a
stable code and a Vietnamese message (issue 3, "Bad input").

Nothing here writes to the database or to storage: `prepare_upload` leaves a checked
temporary file that `services.store_upload` then stores. A registration can so check
every file, and its own fields, before it stores anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from vanban.documents.errors import DocumentError
from vanban.documents.models import StoredFile

Kind = StoredFile.Kind
CHUNK = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 100

EXTENSION_KINDS: dict[str, str] = {
    ".pdf": Kind.PDF,
    ".png": Kind.PNG,
    ".jpg": Kind.JPEG,
    ".jpeg": Kind.JPEG,
    ".jpe": Kind.JPEG,
    ".tif": Kind.TIFF,
    ".tiff": Kind.TIFF,
    ".docx": Kind.DOCX,
    ".xlsx": Kind.XLSX,
    ".odt": Kind.ODT,
    ".doc": Kind.DOC,
    ".xls": Kind.XLS,
    ".zip": Kind.ZIP,
}

CONTENT_TYPES: dict[str, str] = {
    Kind.PDF: "application/pdf",
    Kind.PNG: "image/png",
    Kind.JPEG: "image/jpeg",
    Kind.TIFF: "image/tiff",
    Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.ODT: "application/vnd.oasis.opendocument.text",
    Kind.DOC: "application/msword",
    Kind.XLS: "application/vnd.ms-excel",
    Kind.ZIP: "application/zip",
    Kind.TEXT: "text/plain; charset=utf-8",
}

ACCEPTED_LABEL = "PDF, PNG, JPEG, TIFF, DOCX, XLSX, ODT, DOC, XLS, ZIP"

# Office 97–2003 files are OLE2 compound files; telling .doc from .xls would need the
# OLE directory, and swapping them is harmless, so either extension accepts either.
_OLE = "ole"
_OLE_KINDS = frozenset({Kind.DOC, Kind.XLS})
# Every ZIP-based format may also travel under .zip (VNPT zips edXML attachments).
_ZIP_BASED = frozenset({Kind.DOCX, Kind.XLSX, Kind.ODT, Kind.ZIP})


def max_upload_bytes() -> int:
    return int(getattr(settings, "VANBAN_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)) * 1024 * 1024


# --- File names ------------------------------------------------------------------------

_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
# Bidirectional controls turn "hợp đồng‮fdp.exe" into what looks like "…exe.pdf".
_BIDI = {chr(c) for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))}
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
MAX_NAME_LENGTH = 200
FALLBACK_STEM = "tep"


def split_extension(name: str) -> tuple[str, str]:
    stem, ext = os.path.splitext(name)
    if len(ext) > 16 or not re.fullmatch(r"\.[^\s.]+", ext or "."):
        return name, ""
    return stem, ext


def sanitize_filename(name: str | None) -> str:
    """A safe display and download name: the last path component only (no "../..",
    "C:\\dir\\" or "/etc/"), NFC, no control or bidirectional characters, none of the
    characters Windows forbids, no leading dots, at most 200 characters, extension kept."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").split("/")[-1]
    name = re.sub(r"^[A-Za-z]:", "", name)  # drive-relative "C:file.pdf"
    name = re.sub(r"\s", " ", name)  # tabs and line breaks separate words: keep a space
    name = "".join(
        "_" if ch in _WINDOWS_FORBIDDEN else ch for ch in name if unicodedata.category(ch) != "Cc" and ch not in _BIDI
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, ext = split_extension(name)
    stem = stem.strip(" .")
    if stem.upper() in _RESERVED:
        stem = f"_{stem}"
    if not stem:
        stem = FALLBACK_STEM
    stem = stem[: MAX_NAME_LENGTH - len(ext)].rstrip(" .") or FALLBACK_STEM
    return f"{stem}{ext}"


# --- Type detection ----------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    """The container the first bytes announce: a Kind, "ole", or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return Kind.TIFF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return Kind.ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE
    # Last: readers accept junk before the PDF header, and a ZIP may store a PDF uncompressed.
    if b"%PDF-" in head[:1024]:
        return Kind.PDF
    return None


def _zip_kind(path: Path, name: str) -> str:
    """DOCX, XLSX and ODT are ZIP archives told apart by their parts."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size < 200 and archive.read(info).strip() == b"application/vnd.oasis.opendocument.text":
                    return Kind.ODT
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return Kind.DOCX
                if any(n.startswith("xl/") for n in names):
                    return Kind.XLSX
    # zipfile raises NotImplementedError for compression methods it cannot read: a file we
    # cannot open is refused like a broken one, not a server error.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise DocumentError(
            "broken_file", f"Tệp «{name}» bị hỏng hoặc không đọc được (tệp nén không hợp lệ).", "file"
        ) from exc
    return Kind.ZIP


def _kind_label(kind: str | None) -> str:
    if kind == _OLE:
        return "tài liệu Office 97–2003 (DOC/XLS)"
    if kind is None:
        return "một định dạng không được hỗ trợ"
    return str(Kind(kind).label)


# --- PDF -------------------------------------------------------------------------------------


def _has_signature(reader: Any) -> bool:
    """A signature field with a value (/FT /Sig, /V), or a certification signature
    (/Perms /DocMDP). An empty signature field, waiting to be signed, is not signed."""
    root = reader.trailer["/Root"].get_object()
    perms = root.get("/Perms")
    if perms is not None and "/DocMDP" in perms.get_object():
        return True
    acroform = root.get("/AcroForm")
    if acroform is None:
        return False
    stack = list(acroform.get_object().get("/Fields") or [])
    visited = 0
    while stack and visited < 10_000:  # a cyclic /Kids tree must not loop forever
        visited += 1
        field = stack.pop().get_object()
        if field.get("/FT") == "/Sig" and field.get("/V") is not None:
            return True
        stack.extend(field.get("/Kids") or [])
    return False


def inspect_pdf(fh: IO[bytes], name: str) -> tuple[int, bool]:
    """(page count, signed?) of a PDF, or encrypted_pdf / broken_pdf. Reads lazily from
    the open file, so a 100 MB scan is not loaded whole."""
    import logging

    from pypdf import PdfReader

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # a damaged-but-readable PDF is not worth a warning per object
    try:
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted:
            raise DocumentError(
                "encrypted_pdf",
                f"Tệp PDF «{name}» được đặt mật khẩu hoặc mã hóa nên không thể lưu trữ, tìm kiếm và kiểm tra "
                "chữ ký số. Hãy đề nghị nơi gửi cung cấp bản không mã hóa.",
                "file",
            )
        pages = len(reader.pages)
        if pages < 1:
            raise ValueError("no pages")
        return pages, _has_signature(reader)
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many kinds on damaged input; all mean "unreadable"
        raise DocumentError("broken_pdf", f"Tệp PDF «{name}» bị hỏng hoặc không đọc được.", "file") from exc
    finally:
        pypdf_log.setLevel(level)


# --- Uploads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadInfo:
    name: str  # sanitised
    sha256: str
    size: int
    kind: str
    content_type: str
    page_count: int | None = None
    is_signed_pdf: bool = False


@dataclass(frozen=True)
class PreparedUpload(UploadInfo):
    """A checked upload in a temporary file, ready for `services.store_upload`. Use it as
    a context manager (or call close()) so the temporary file goes away."""

    path: Path = Path()

    @property
    def info(self) -> UploadInfo:
        return UploadInfo(
            self.name, self.sha256, self.size, self.kind, self.content_type, self.page_count, self.is_signed_pdf
        )

    def close(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def __enter__(self) -> PreparedUpload:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(data: Any) -> Any:
    if isinstance(data, bytes | bytearray | memoryview):
        view = memoryview(data)
        for start in range(0, len(view), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    if isinstance(data, os.PathLike):
        with open(data, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield chunk
        return
    if hasattr(data, "seek"):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            data.seek(0)
    if hasattr(data, "chunks"):  # Django's UploadedFile
        yield from data.chunks(CHUNK)
        return
    if hasattr(data, "read"):
        while chunk := data.read(CHUNK):
            yield chunk
        return
    raise TypeError(f"cannot read an upload from {type(data).__name__}")


def _spool(data: Any, name: str, limit: int) -> tuple[Path, str, int, bytes]:
    """Copy to a temporary file while hashing, stopping as soon as the limit is passed:
    a 100 MB upload is never held in memory, nor a 10 GB one written to disk."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    tmp_dir = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    fd, tmp_name = tempfile.mkstemp(prefix="vanban-upload-", dir=tmp_dir)
    path = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(data):
                size += len(chunk)
                if size > limit:
                    raise DocumentError(
                        "file_too_large",
                        f"Tệp «{name}» lớn hơn giới hạn {limit // (1024 * 1024)} MB cho mỗi tệp.",
                        "file",
                    )
                if len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size, head


def prepare_upload(name: str | None, data: Any, *, max_bytes: int | None = None) -> PreparedUpload:
    """Check an upload and spool it to a temporary file. `data` is bytes, a Django
    UploadedFile, a binary file object or a path. Raises DocumentError with code
    empty_file, file_too_large, unsupported_type, type_mismatch, encrypted_pdf,
    broken_pdf or broken_file; on error no temporary file is left behind."""
    safe_name = sanitize_filename(name)
    _, ext = split_extension(safe_name)
    expected = EXTENSION_KINDS.get(ext.lower())
    if expected is None:
        if not ext:
            message = f"Tệp «{safe_name}» không có phần mở rộng (như .pdf, .docx) nên không xác định được định dạng."
        else:
            message = f"Định dạng {ext} của tệp «{safe_name}» không được hỗ trợ. Hệ thống nhận: {ACCEPTED_LABEL}."
        raise DocumentError("unsupported_type", message, "file")
    path, sha256, size, head = _spool(data, safe_name, max_upload_bytes() if max_bytes is None else max_bytes)
    try:
        if size == 0:
            raise DocumentError("empty_file", f"Tệp «{safe_name}» rỗng (0 byte). Hãy chọn lại tệp.", "file")
        detected = sniff(head)
        if detected == Kind.ZIP:
            detected = _zip_kind(path, safe_name)
        if detected == _OLE and expected in _OLE_KINDS:
            detected = expected
        if detected != expected and not (expected == Kind.ZIP and detected in _ZIP_BASED):
            raise DocumentError(
                "type_mismatch",
                f"Nội dung tệp «{safe_name}» không khớp với phần mở rộng {ext}: tệp thực chất là "
                f"{_kind_label(detected)}. Hãy kiểm tra lại tệp (có thể đã bị đổi tên).",
                "file",
            )
        kind = expected
        page_count, signed = None, False
        if kind == Kind.PDF:
            with path.open("rb") as fh:
                page_count, signed = inspect_pdf(fh, safe_name)
        return PreparedUpload(
            name=safe_name,
            sha256=sha256,
            size=size,
            kind=kind,
            content_type=CONTENT_TYPES[kind],
            page_count=page_count,
            is_signed_pdf=signed,
            path=path,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def validate_upload(name: str | None, data: Any, *, max_bytes: int | None = None) -> UploadInfo:
    """Check an upload without keeping it: what the form shows before saving."""
    with prepare_upload(name, data, max_bytes=max_bytes) as prepared:
        return prepared.info
