"""Text extraction from real files of each format, OCR with tesseract's Vietnamese model,
the untouched original beside its PDF/A copy, and a failing page losing only itself."""

from __future__ import annotations

import io
from typing import Any

import pytest

from vanban.documents import storage
from vanban.documents.models import StoredFile
from vanban.documents.services import store_file
from vanban.documents.tests.docs_world import World
from vanban.search.extraction import extract_file
from vanban.search.models import FileText
from vanban.search.selectors import SearchParams, search
from vanban.search.tests.conftest import docx_file, image_pdf, scan_png, text_pdf

pytestmark = pytest.mark.django_db

SCAN_LINES = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
              "Về việc khắc phục hậu quả sạt lở đất", "tại huyện Mường Tè, tỉnh Lai Châu"]  # fmt: skip


def test_pdf_text_layer_is_read_and_found_without_diacritics(world: World, incoming: Any) -> None:
    doc = incoming(subject="Tờ trình", files=[("to-trinh.pdf", text_pdf(["Đề nghị phê duyệt kinh phí sửa chữa trụ sở"]))])
    row = extract_file(actor=None, stored=doc.files.get().file)
    assert row.state == FileText.State.DONE and row.method == FileText.Method.TEXT_LAYER
    assert "kinh phí sửa chữa trụ sở" in row.text
    assert [h.entry.incoming_id for h in search(world.ministry_clerk, SearchParams(q="sua chua tru so")).hits] == [doc.pk]


def test_docx_is_read(world: World, isolated_storage: Any) -> None:
    stored = store_file(actor=world.ministry_clerk, name="bao-cao.docx",
                        data=docx_file(["Báo cáo tổng kết công tác năm", "Đoàn kết, đổi mới"]))  # fmt: skip
    row = extract_file(actor=None, stored=stored)
    assert row.method == FileText.Method.DOCX and "Đoàn kết, đổi mới" in row.text


def _raw(tmp_path: Any, data: bytes, name: str, content_type: str) -> StoredFile:
    """A stored text file (e-mails and plain text arrive from the exchange, not the upload form)."""
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    (tmp_path / digest).write_bytes(data)
    storage.put(digest, tmp_path / digest, len(data))
    return StoredFile.objects.create(sha256=digest, size=len(data), kind=StoredFile.Kind.TEXT,
                                     content_type=content_type, original_name=name)  # fmt: skip


def test_email_is_read_with_headers_and_body(world: World, isolated_storage: Any, tmp_path: Any) -> None:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = "Giấy mời họp giao ban", "vanphong@moit.gov.vn", "vanthu@moit.gov.vn"
    msg.set_content("Kính mời đồng chí dự họp giao ban tháng 11.")
    row = extract_file(actor=None, stored=_raw(tmp_path, msg.as_bytes(), "giay-moi.eml", "message/rfc822"))
    assert row.method == FileText.Method.EMAIL
    assert "Giấy mời họp giao ban" in row.text and "dự họp giao ban tháng 11" in row.text


def test_legacy_encoded_text_goes_through_the_unicode_guard(world: World, isolated_storage: Any, tmp_path: Any) -> None:
    from vanban.documents.text import tcvn3

    legacy = tcvn3.encode("Thông báo kết luận của Bộ trưởng về công tác cải cách hành chính")
    row = extract_file(actor=None, stored=_raw(tmp_path, legacy.encode("cp1252", "replace"), "tb.txt", "text/plain"))
    assert row.method == FileText.Method.PLAIN and row.converted_from == "tcvn3"
    assert "Thông báo kết luận của Bộ trưởng" in row.text
    # DOCX runs are converted by the shared reader already.
    stored = store_file(actor=world.ministry_clerk, name="tb.docx", data=docx_file([legacy]))
    assert "Thông báo kết luận của Bộ trưởng" in extract_file(actor=None, stored=stored).text


def test_scanned_image_is_ocrd_in_vietnamese_into_a_pdfa_copy_beside_the_untouched_original(
    world: World, isolated_storage: Any
) -> None:
    png = scan_png(SCAN_LINES)
    stored = store_file(actor=world.ministry_clerk, name="scan.png", data=png)
    row = extract_file(actor=world.ministry_clerk, stored=stored)
    assert row.method == FileText.Method.OCR and row.state == FileText.State.DONE, row.error
    for word in ("CỘNG HÒA", "Hạnh phúc", "khắc phục", "sạt lở", "Mường Tè", "Lai Châu"):
        assert word in row.text, (word, row.text)
    # The original is byte for byte what was stored; the copy is a new object pointing at it.
    assert storage.read_blob(stored.sha256) == png
    copy = row.ocr_file
    assert copy is not None and copy.pk != stored.pk and copy.source_id == stored.pk
    assert copy.derivation == StoredFile.Derivation.OCR_PDFA
    pdf = storage.read_blob(copy.sha256)
    assert pdf.startswith(b"%PDF") and b"pdfaid" in pdf


def test_a_page_that_cannot_be_ocrd_does_not_lose_the_others(world: World, isolated_storage: Any) -> None:
    from pypdf import PdfReader, PdfWriter

    good = PdfReader(io.BytesIO(image_pdf([scan_png(SCAN_LINES[2:])]))).pages[0]
    writer = PdfWriter()
    writer.add_page(good)
    # A page far beyond what may be rasterised (5 m square): refused by ocrmypdf.
    writer.add_blank_page(width=14400, height=14400)
    buf = io.BytesIO()
    writer.write(buf)
    stored = store_file(actor=world.ministry_clerk, name="hai-trang.pdf", data=buf.getvalue())
    row = extract_file(actor=world.ministry_clerk, stored=stored)
    assert row.state == FileText.State.PARTIAL, (row.state, row.error)
    assert row.pages == 2 and row.pages_failed == 1
    assert "sạt lở" in row.text and "Lai Châu" in row.text


def test_a_signed_pdf_is_never_rewritten(world: World, isolated_storage: Any) -> None:
    from vanban.documents.tests.docs_world import signed_pdf_bytes

    data = signed_pdf_bytes()
    stored = store_file(actor=world.ministry_clerk, name="da-ky.pdf", data=data)
    assert stored.is_signed_pdf
    row = extract_file(actor=None, stored=stored)
    assert row.ocr_file is None and storage.read_blob(stored.sha256) == data
    assert not StoredFile.objects.filter(source=stored).exists()


@pytest.mark.django_db(transaction=True)
def test_registering_a_file_queues_its_extraction_and_the_body_becomes_searchable(
    world: World, incoming: Any
) -> None:
    from vanban.conftest import run_queued_jobs
    from vanban.jobs.models import Job

    doc = incoming(subject="Công văn gửi kèm", files=[("kem.pdf", text_pdf(["Phương án phòng chống lụt bão năm nay"]))])
    job = Job.objects.get(kind="search.extract")
    assert job.owner == world.ministry_clerk and job.total == 1
    assert search(world.ministry_clerk, SearchParams(q="lut bao")).total == 0  # not read yet
    run_queued_jobs()
    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED and job.done == 1
    assert [h.entry.incoming_id for h in search(world.ministry_clerk, SearchParams(q="lut bao")).hits] == [doc.pk]
    assert search(world.specialist, SearchParams(q="lut bao")).total == 0
