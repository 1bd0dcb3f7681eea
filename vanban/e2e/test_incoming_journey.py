"""A ministry clerk registers an incoming paper document with its scanned PDF in a real
browser; a secret document is refused with the rule and nothing is stored."""

from __future__ import annotations

import io
import re

import pytest

from vanban.documents.models import DocumentType, StoredFile
from vanban.e2e.conftest import login, shot
from vanban.incoming.models import IncomingDocument

pytestmark = pytest.mark.browser


def _scanned_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _fill(page, *, subject: str, secrecy: str = "none") -> None:
    page.goto("/van-ban-den/dang-ky/")
    page.select_option("select[name=document_type]", str(DocumentType.objects.get(name="Công văn").pk))
    page.fill("input[name=issuing_organ_name]", "Ủy ban nhân dân tỉnh Nghệ An")
    page.fill("input[name=code_number]", "1234")
    page.fill("input[name=code_notation]", "UBND-KT")
    page.fill("input[name=issued_date]", "2026-11-20")
    page.fill("textarea[name=subject]", subject)
    page.fill("input[name=signer_name]", "Nguyễn Văn Tỉnh")
    page.select_option("select[name=secrecy]", secrecy)
    page.set_input_files("input[name=files]", files=[{"name": "cong-van-1234.pdf", "mimeType": "application/pdf",
                                                      "buffer": _scanned_pdf()}])


def test_clerk_registers_a_scanned_document_and_secret_one_is_refused(page, demo_data):
    login(page, "vanthu.bo", demo_data["vanthu.bo"].password)
    assert page.locator("[data-nav=incoming]").count() == 1

    _fill(page, subject="V/v đề nghị hỗ trợ xúc tiến thương mại năm 2027")
    shot(page, "clerk-incoming-form")
    page.click("main form button[type=submit]:not([formaction])")
    page.wait_for_url(re.compile(r"/van-ban-den/\d+/$"))
    document = IncomingDocument.objects.get()
    assert document.arrival_number == 1
    body = page.inner_text("main")
    assert "V/v đề nghị hỗ trợ xúc tiến thương mại năm 2027" in body
    stored = StoredFile.objects.get()
    assert stored.sha256 in body  # the hash is shown to the clerk
    shot(page, "clerk-incoming-detail")

    _fill(page, subject="Tài liệu có đóng dấu mật", secrecy="mat")
    page.click("main form button[type=submit]:not([formaction])")
    page.wait_for_load_state("networkidle")
    assert "2226/QĐ-BCT" in page.inner_text("main")
    assert IncomingDocument.objects.count() == 1 and StoredFile.objects.count() == 1
    shot(page, "clerk-incoming-secret-refused")
