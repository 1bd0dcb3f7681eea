"""A clerk registers a signed PDF in the browser; the worker checks its signature and the
document page turns from "Đang kiểm tra chữ ký…" to the result without a reload."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from vanban.documents.models import DocumentType, SignatureReport
from vanban.e2e.conftest import login, shot
from vanban.signatures.tests.test_validation import SIGNER, make_pki, plain_pdf, sign

pytestmark = pytest.mark.browser


@pytest.fixture
def test_ca_trusted_by_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker process reads VANBAN_TRUST_ROOTS from its environment: the test CA."""
    folder = tmp_path / "trust-roots"
    folder.mkdir()
    (folder / "ca.pem").write_bytes(make_pki().root_pem())
    monkeypatch.setenv("VANBAN_TRUST_ROOTS", str(folder))


def test_the_signature_check_appears_on_the_incoming_page(
    test_ca_trusted_by_the_worker: None, page: Any, demo_data: Any, worker: Any
) -> None:
    login(page, "vanthu.bo", demo_data["vanthu.bo"].password)
    page.goto("/van-ban-den/dang-ky/")
    page.select_option("select[name=document_type]", str(DocumentType.objects.get(name="Quyết định (cá biệt)").pk))
    page.fill("input[name=issuing_organ_name]", "Bộ Tài chính")
    page.fill("input[name=code_number]", "123")
    page.fill("input[name=code_notation]", "QĐ-BTC")
    page.fill("input[name=issued_date]", "2026-11-20")
    page.fill("textarea[name=subject]", "Quyết định về việc phân bổ kinh phí năm 2027")
    page.fill("input[name=signer_name]", SIGNER)
    # pyHanko runs its own event loop: not in this thread, where Playwright's is running.
    with ThreadPoolExecutor(1) as pool:
        signed = pool.submit(lambda: sign(plain_pdf(), make_pki(), timestamp=True)).result()
    page.set_input_files(
        "input[name=files]", files=[{"name": "qd-123.pdf", "mimeType": "application/pdf", "buffer": signed}]
    )
    page.click("main form button[type=submit]:not([formaction])")
    page.wait_for_url(re.compile(r"/van-ban-den/\d+/$"))
    report = page.locator("[data-testid=signature-report]")
    # Polled by htmx until the worker has checked the file: no reload.
    report.and_(page.locator("[data-state=done]")).wait_for(timeout=30000)
    text = report.inner_text()
    assert "Chữ ký hợp lệ" in text and f"Chữ ký hợp lệ của {SIGNER}" in text and "PAdES B-T" in text
    assert SignatureReport.objects.get().trusted is True
    shot(page, "incoming-signature-report")
    page.click("[data-testid=signature-recheck]")
    page.wait_for_load_state("networkidle")
    assert "Chữ ký hợp lệ" in page.locator("[data-testid=signature-report]").inner_text()
