"""Text out of stored files: PDF text layers, DOCX/ODT/XLSX, e-mails, plain text, and OCR
(ocrmypdf + tesseract `vie`) for scans and images.

OCR never touches the original: it writes a searchable PDF/A copy, stored as a new
StoredFile pointing at its source (derivation ocr_pdfa). Signed PDFs are read, never
rewritten (no copy). The work is bounded: a page limit, a per-page tesseract timeout,
`--jobs` = one tesseract per core (each single-threaded), and a whole-run timeout. When
a run fails as a whole, the pages are OCR'd one by one so a bad page loses only itself.
Every text goes through the Unicode guard (NFC, legacy encodings converted)."""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import io
import logging
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanban.documents.models import StoredFile
from vanban.documents.text import guard_text, read_bytes
from vanban.search.models import FileText

log = logging.getLogger(__name__)

Kind = StoredFile.Kind
IMAGE_KINDS = frozenset({Kind.PNG, Kind.JPEG, Kind.TIFF})
OFFICE_KINDS = {Kind.DOCX: FileText.Method.DOCX, Kind.ODT: FileText.Method.ODT, Kind.XLSX: FileText.Method.XLSX}
# A PDF page with fewer characters than this is treated as a scan needing OCR.
MIN_LAYER_CHARS = 20
MAX_TEXT = 2_000_000


def ocr_page_timeout() -> int:
    return int(getattr(settings, "VANBAN_OCR_PAGE_TIMEOUT", os.environ.get("VANBAN_OCR_PAGE_TIMEOUT", 60)))


def ocr_max_pages() -> int:
    return int(getattr(settings, "VANBAN_OCR_MAX_PAGES", os.environ.get("VANBAN_OCR_MAX_PAGES", 50)))


def ocr_jobs() -> int:
    return int(getattr(settings, "VANBAN_OCR_JOBS", os.environ.get("VANBAN_OCR_JOBS", os.cpu_count() or 1)))


@dataclass
class Extracted:
    method: str
    pages: list[str] = field(default_factory=list)
    failed: int = 0
    ocr_pdf: bytes | None = None
    error: str = ""

    @property
    def text(self) -> str:
        return "\n\n".join(p for p in self.pages if p)


# --- Readers ---------------------------------------------------------------------------------


def pdf_page_texts(data: bytes) -> list[str]:
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(data))
    out = []
    for page in reader.pages:
        try:
            out.append(page.extract_text() or "")
        except Exception:  # pypdf raises many kinds on damaged content streams
            out.append("")
    return out


def read_email(data: bytes) -> str:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    lines = [f"{h}: {msg[h]}" for h in ("Subject", "From", "To", "Date") if msg[h]]
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            body = part.get_content()
        except (LookupError, UnicodeDecodeError):
            body = read_bytes(part.get_payload(decode=True) or b"")
        if ctype == "text/html":
            body = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style).*?</\1>", " ", body)))
        lines.append(body)
    return "\n".join(lines)


def looks_like_email(data: bytes, name: str) -> bool:
    if name.lower().endswith(".eml"):
        return True
    head = data[:2048].lower()
    return b"\nsubject:" in b"\n" + head and (b"\nfrom:" in b"\n" + head or b"\nmessage-id:" in b"\n" + head)


# --- OCR -----------------------------------------------------------------------------------


def _ocrmypdf(src: Path, dst: Path, *, pages: int, image: bool, pdfa: bool = True) -> None:
    timeout = ocr_page_timeout()
    cmd = ["ocrmypdf", "-l", "vie", "--output-type", "pdfa" if pdfa else "pdf", "--jobs", str(ocr_jobs()),
           "--tesseract-timeout", str(timeout), "--optimize", "0", "--quiet"]  # fmt: skip
    cmd += ["--image-dpi", "300"] if image else ["--skip-text"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    subprocess.run([*cmd, str(src), str(dst)], check=True, capture_output=True, env=env,
                   timeout=timeout * max(1, pages) + 120)  # fmt: skip


def _page_pdfs(data: bytes, limit: int) -> list[bytes]:
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    out = []
    for page in list(reader.pages)[:limit]:
        writer = PdfWriter()
        writer.add_page(page)
        buf = io.BytesIO()
        writer.write(buf)
        out.append(buf.getvalue())
    return out


def ocr(data: bytes, *, image: bool, page_count: int) -> Extracted:
    """OCR a scanned PDF or an image. Pages beyond the limit are counted as not read."""
    limit = ocr_max_pages()
    over = max(0, page_count - limit)
    with tempfile.TemporaryDirectory(prefix="vanban-ocr-") as tmp:
        src, dst = Path(tmp) / ("in.img" if image else "in.pdf"), Path(tmp) / "out.pdf"
        if over and not image:
            from pypdf import PdfWriter

            writer = PdfWriter()
            for part in _page_pdfs(data, limit):
                writer.append(io.BytesIO(part))
            buf = io.BytesIO()
            writer.write(buf)
            src.write_bytes(buf.getvalue())
        else:
            src.write_bytes(data)
        try:
            _ocrmypdf(src, dst, pages=min(page_count, limit) or 1, image=image)
            texts = pdf_page_texts(dst.read_bytes())
            failed = sum(1 for t in texts if len(t.strip()) < 1) + over
            # A copy missing pages would not be "the same document, searchable": text only.
            copy = dst.read_bytes() if not over else None
            return Extracted(FileText.Method.OCR, texts, failed, copy)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            log.warning("OCR run failed (%s); retrying page by page", type(exc).__name__)
            if image:
                return Extracted(FileText.Method.OCR, [], max(1, page_count), None, _ocr_error(exc))
        return _ocr_by_page(src.read_bytes(), Path(tmp), over)


def _ocr_error(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        tail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return f"ocrmypdf exit {exc.returncode}: {tail[0]}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def _ocr_by_page(data: bytes, tmp: Path, over: int) -> Extracted:
    try:
        pages = _page_pdfs(data, ocr_max_pages())
    except Exception as exc:
        return Extracted(FileText.Method.OCR, [], 1 + over, None, f"PDF unreadable: {type(exc).__name__}")
    texts: list[str] = []
    failed, error = over, ""
    for i, page in enumerate(pages, start=1):
        src, dst = tmp / f"p{i}.pdf", tmp / f"p{i}.out.pdf"
        src.write_bytes(page)
        try:
            _ocrmypdf(src, dst, pages=1, image=False, pdfa=False)
            text = pdf_page_texts(dst.read_bytes())[0]
        except Exception as exc:
            text, error = "", f"page {i}: {_ocr_error(exc)}"[:500]
        failed += 0 if text.strip() else 1
        texts.append(text)
    return Extracted(FileText.Method.OCR, texts, failed, None, error)


# --- One file --------------------------------------------------------------------------------


def read(stored: StoredFile, data: bytes) -> Extracted:
    if stored.kind == Kind.PDF:
        texts = pdf_page_texts(data)
        layer = sum(len(t.strip()) for t in texts)
        if layer >= MIN_LAYER_CHARS * max(1, len(texts)) // 2 or not texts:
            return Extracted(FileText.Method.TEXT_LAYER, texts)
        result = ocr(data, image=False, page_count=len(texts))
        if stored.is_signed_pdf:
            result.ocr_pdf = None  # a signed PDF is never rewritten, not even as a copy
        return result
    if stored.kind in IMAGE_KINDS:
        return ocr(data, image=True, page_count=stored.page_count or 1)
    if stored.kind in OFFICE_KINDS:
        from vanban.documents.preview import text_preview

        preview = text_preview(io.BytesIO(data), stored.kind, max_chars=MAX_TEXT, max_blocks=100_000, seconds=60)
        return Extracted(OFFICE_KINDS[stored.kind], [preview.text])
    if stored.kind == Kind.TEXT:
        if looks_like_email(data, stored.original_name):
            return Extracted(FileText.Method.EMAIL, [read_email(data)])
        return Extracted(FileText.Method.PLAIN, [read_bytes(data)])
    return Extracted(FileText.Method.NONE, error="unsupported")


def _store_copy(*, actor: Any, source: StoredFile, pdf: bytes) -> StoredFile:
    from vanban.audit import services as audit
    from vanban.documents import storage

    digest = hashlib.sha256(pdf).hexdigest()
    existing = StoredFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    with tempfile.NamedTemporaryFile(prefix="vanban-ocr-", suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        storage.put(digest, Path(fh.name), len(pdf))
    stem = source.original_name.rsplit(".", 1)[0] or "van-ban"
    copy = StoredFile.objects.create(
        sha256=digest, size=len(pdf), kind=Kind.PDF, content_type="application/pdf",
        original_name=f"{stem} (OCR).pdf"[:255], page_count=len(pdf_page_texts(pdf)),
        source=source, derivation=StoredFile.Derivation.OCR_PDFA,
        created_by=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    audit.record(actor=actor, action="search.ocr_copy_stored", target=copy,
                 data={"source": source.sha256, "sha256": digest, "size": len(pdf)})  # fmt: skip
    return copy


def extract_file(*, actor: Any, stored: StoredFile, force: bool = False) -> FileText:
    """Read one stored file (once; `force` reads it again) and reindex its documents.
    The slow part runs outside any transaction; the rows are written in one."""
    from vanban.documents import storage
    from vanban.search.indexing import reindex_documents_of_file

    if not force:
        done = FileText.objects.filter(file=stored).first()
        if done is not None:
            return done
    if stored.derivation:  # our own OCR copies and other derivatives say nothing new
        result = Extracted(FileText.Method.NONE, error="derived file")
    else:
        try:
            result = read(stored, storage.read_blob(stored.sha256))
        except Exception as exc:  # a damaged file is a failed extraction, never a crashed job
            log.warning("extraction of %s failed: %r", stored.sha256[:12], exc)
            result = Extracted(FileText.Method.NONE, failed=1, error=f"{type(exc).__name__}: {exc}"[:500])
    text, conversion = guard_text(result.text[:MAX_TEXT])
    if result.method == FileText.Method.NONE:
        state = FileText.State.UNSUPPORTED if result.error in ("unsupported", "derived file") else FileText.State.FAILED
    elif result.failed and text.strip():
        state = FileText.State.PARTIAL
    elif result.failed or (result.error and not text.strip()):
        state = FileText.State.FAILED
    else:
        state = FileText.State.DONE
    with transaction.atomic():
        # Lock order as the document services take it — the document rows, then their
        # index entries, then the audit chain — or signing a document while its file is
        # read deadlocks (seen on PostgreSQL: the worker held the audit chain and waited
        # for the index entry the signer held while it waited for the audit chain).
        _lock_documents_of_file(stored.pk)
        row, _ = FileText.objects.update_or_create(file=stored, defaults={
            "state": state, "method": result.method, "text": text, "pages": len(result.pages),
            "pages_failed": result.failed, "ocr_file": None, "error": result.error[:500],
            "converted_from": conversion.source if conversion else "", "extracted_at": timezone.now(),
        })  # fmt: skip
        reindex_documents_of_file(stored.pk)
        if result.ocr_pdf:
            row.ocr_file = _store_copy(actor=actor, source=stored, pdf=result.ocr_pdf)
            row.save(update_fields=["ocr_file"])
    return row


def _lock_documents_of_file(file_id: int) -> None:
    from vanban.incoming.models import IncomingDocument
    from vanban.outgoing.models import OutgoingDocument

    incoming = IncomingDocument.objects.filter(files__file_id=file_id).values_list("pk", flat=True).distinct()
    outgoing = OutgoingDocument.objects.filter(versions__file_id=file_id).values_list("pk", flat=True).distinct()
    list(IncomingDocument.objects.select_for_update().filter(pk__in=list(incoming)).order_by("pk").values_list("pk"))
    list(OutgoingDocument.objects.select_for_update().filter(pk__in=list(outgoing)).order_by("pk").values_list("pk"))
