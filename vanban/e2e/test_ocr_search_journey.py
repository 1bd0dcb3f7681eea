"""A clerk registers a paper document from its scan and later finds it by a word of its
body: "Đọc tự động" OCRs the first page in the worker while the progress page updates,
the form opens pre-filled with the proposed fields marked, «Đăng ký» stores the scan,
the worker OCRs the stored file for search (the clerk watches it on «Tác vụ nền»), and
the top-bar search typed without diacritics finds the document by a word that is only
in the body, highlighted in the snippet."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from vanban.e2e.conftest import login, shot
from vanban.extraction.samples import make_sample, render
from vanban.incoming.models import IncomingDocument
from vanban.search.models import FileText

pytestmark = pytest.mark.browser

# OCR runs in the worker on a machine that may be busy: generous, polled, never slept.
OCR_TIMEOUT_MS = 240_000

ORGAN = "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"
SUMMARY = "Chủ động ứng phó với mưa lớn trên địa bàn tỉnh"
BODY_WORDS = "sạt lở"  # in the body only: found through the OCR of the stored file, not the form
BODY = [
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Ủy ban nhân dân tỉnh yêu cầu Ủy ban nhân dân huyện Mường Tè khẩn trương di dời các hộ dân ra khỏi "
    "vùng có nguy cơ sạt lở đất, lũ quét.",
    "Các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành văn bản này.",
]


def scanned_cong_van() -> bytes:
    """An ND30 công văn printed, then scanned at 300 dpi into an image-only PDF (slight
    tilt, grain and specks), by the labelled set's own generator."""
    rng = random.Random(8)  # noqa: S311  (reproducible test data)
    sample = make_sample(rng, 8, form="scan-pdf")
    sample.labels.update(
        organ_parent=None, organ=ORGAN, number="1742", symbol="UBND-NLN", number_symbol="1742/UBND-NLN",
        place="Lai Châu", date="2026-11-18", doc_type="Công văn", _title="", summary=SUMMARY,
        signer_name="Hoàng Thị Hương", signer_position="CHỦ TỊCH", signing_authority="TM.",
        _on_behalf="ỦY BAN NHÂN DÂN", urgency=None, secrecy=None,
    )  # fmt: skip
    sample.body = BODY
    sample.dpi, sample.skew = 300, 0.5
    return render(sample, rng)


def _watch_progress(page: Any) -> list[str]:
    """What the clerk sees on the OCR progress page until it turns into the form by
    itself (htmx polls it; the test never reloads)."""
    seen: list[str] = []
    deadline = time.monotonic() + OCR_TIMEOUT_MS / 1000
    while "/doc-tu-dong/" in page.url and time.monotonic() < deadline:
        live = page.locator("[data-testid=extraction-live]")
        try:
            state = live.locator("[data-testid=job-state]").inner_text(timeout=2000)
            progress = live.locator("[data-testid=job-progress]").inner_text(timeout=2000)
        except PlaywrightError:  # swapped out or navigated away between the two reads
            continue
        if not seen or seen[-1] != f"{state} {progress}":
            seen.append(f"{state} {progress}")
        page.wait_for_timeout(200)
    return seen


def test_clerk_registers_a_scan_read_automatically_and_finds_it_by_a_body_word(
    page: Any, demo_data: Any, worker: Any
) -> None:
    # Page loads wait for a live server sharing two cores with the worker's OCR.
    page.set_default_timeout(60_000)
    started = time.perf_counter()
    login(page, "vanthu.bo", demo_data["vanthu.bo"].password)
    page.click("[data-nav-section=work]")
    page.click("[data-nav=incoming]")
    page.click("[data-testid=register-incoming]")
    page.wait_for_url(re.compile(r"/van-ban-den/dang-ky/$"))
    page.set_input_files("input[name=files]", files=[{
        "name": "cong-van-1742-ubnd-lai-chau.pdf", "mimeType": "application/pdf", "buffer": scanned_cong_van(),
    }])  # fmt: skip
    page.get_by_role("button", name="Đọc tự động", exact=True).click()

    # A scan: a background job, whose progress the clerk watches.
    page.wait_for_url(re.compile(r"/van-ban-den/doc-tu-dong/[0-9a-f-]+/$"))
    assert "nhận dạng ký tự (OCR)" in page.inner_text("main")
    assert page.locator("[data-testid=extraction-live]").get_attribute("data-state") == "pending"
    shot(page, "ocr-journey-progress")
    seen = _watch_progress(page)
    page.wait_for_url(re.compile(r"/van-ban-den/dang-ky/\?de_xuat=[0-9a-f-]+$"), timeout=OCR_TIMEOUT_MS)
    assert seen, "the progress page showed no job state"
    assert all(re.search(r"\d/3 \(\d+%\)$", s) for s in seen), seen
    assert any(not s.endswith("3/3 (100%)") for s in seen), f"no work in progress was shown: {seen}"
    proposal_read = time.perf_counter()

    # The form, pre-filled from the scan, each proposed field marked for checking.
    note = page.locator("[data-testid=proposal-note]")
    assert "đề xuất tự động — kiểm tra lại" in note.inner_text() and "ảnh quét" in note.inner_text()
    marked = set(page.locator("[data-proposed='1']").evaluate_all("els => els.map(e => e.name)"))
    assert {"issuing_organ_name", "code_number", "code_notation", "issued_date", "subject", "document_type",
            "signer_name"} <= marked, marked  # fmt: skip
    assert page.input_value("input[name=issuing_organ_name]") == ORGAN
    assert page.input_value("input[name=code_number]") == "1742"
    assert page.input_value("input[name=code_notation]") == "UBND-NLN"
    assert page.input_value("input[name=issued_date]") == "2026-11-18"
    assert page.input_value("textarea[name=subject]") == SUMMARY
    assert page.locator("select[name=document_type] option:checked").inner_text() == "Công văn"
    assert page.input_value("input[name=signer_name]") == "Hoàng Thị Hương"
    assert "lở" not in SUMMARY and "lo" not in SUMMARY.split()  # the search below cannot match the form
    shot(page, "ocr-journey-prefilled")
    # What the page cannot say: how it came. The scan itself is registered as the main file.
    page.select_option("select[name=receipt_method]", "paper")
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    page.wait_for_url(re.compile(r"/van-ban-den/\d+/$"))
    document = IncomingDocument.objects.get()
    assert document.subject == SUMMARY and document.code_number == "1742"
    stored = document.files.get().file
    assert stored.original_name == "cong-van-1742-ubnd-lai-chau.pdf"
    assert stored.sha256 in page.inner_text("main")
    registered = time.perf_counter()

    # The stored scan is OCR'd for search in the background: «Tác vụ nền» shows it.
    page.click("[data-nav-section=work]")
    page.click("[data-nav=jobs]")
    page.wait_for_url(re.compile(r"/tac-vu/$"))
    row = page.locator("tr", has_text="Trích xuất nội dung văn bản để tìm kiếm")
    assert row.count() == 1
    assert re.search(r"\d/1 \(\d+%\)", row.locator("[data-testid=job-progress]").inner_text())
    page.locator("tr[data-job-state=succeeded]", has_text="Trích xuất nội dung văn bản để tìm kiếm").wait_for(
        timeout=OCR_TIMEOUT_MS
    )
    assert "1/1 (100%)" in row.locator("[data-testid=job-progress]").inner_text()
    text = FileText.objects.get(file=stored)
    assert text.method == FileText.Method.OCR and text.state == FileText.State.DONE, text.error
    assert BODY_WORDS in text.text
    shot(page, "ocr-journey-jobs")
    indexed = time.perf_counter()

    # The body word, typed without diacritics into the top bar.
    box = page.locator("[data-testid=topbar-search] input[name=q]")
    box.fill("sat lo")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/tim-kiem/\?q=sat\+lo"))
    hit = page.locator(f"[data-testid=search-results] [data-hit=incoming-{document.pk}]")
    assert hit.count() == 1
    assert "1742/UBND-NLN" in hit.inner_text() and SUMMARY in hit.inner_text()
    marks = hit.locator(".vb-snippet mark").all_inner_texts()
    assert marks and all(m.lower() in ("sạt", "lở", "sạt lở") for m in marks), marks
    assert "nguy cơ sạt lở đất" in hit.locator(".vb-snippet").inner_text()
    shot(page, "ocr-journey-found")
    hit.click()
    page.wait_for_url(re.compile(rf"/van-ban-den/{document.pk}/$"))
    print(  # the journey's stages, for the run log (pytest -s)
        f"ocr journey: read {proposal_read - started:.1f}s, registered {registered - proposal_read:.1f}s, "
        f"indexed {indexed - registered:.1f}s, found {time.perf_counter() - indexed:.1f}s"
    )
