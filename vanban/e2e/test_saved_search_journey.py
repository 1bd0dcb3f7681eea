"""A clerk searches without diacritics, saves the search, exports its results to Excel,
renames it, runs it again after a new document arrives (a saved search stores the
question, not the answers), and deletes it; a specialist who may open none of the
documents finds nothing with the same words."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from vanban.accounts.models import User
from vanban.documents.models import DocumentType
from vanban.e2e.conftest import login, shot
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import IncomingData, register_incoming
from vanban.search.models import SavedSearch

pytestmark = pytest.mark.browser

SUBJECTS = [
    "V/v triển khai công văn điện tử liên thông với các bộ, ngành",
    "V/v hướng dẫn gửi công văn điện tử có chữ ký số",
    "V/v báo cáo tình hình xuất khẩu gạo quý III",
]


def _register(clerk, number: int, subject: str) -> IncomingDocument:
    data = IncomingData(
        document_type=DocumentType.objects.get(code="cong-van"),
        issuing_organ_name="UBND tỉnh Nghệ An",
        code_number=str(number),
        code_notation="UBND-KT",
        issued_date=timezone.localdate() - dt.timedelta(days=1),
        subject=subject,
        signer_name="Nguyễn Văn A",
        signer_position="Phó Chủ tịch",
    )
    return register_incoming(actor=clerk, data=data, files=[], confirm_duplicate=True)


def _cells(path: Path) -> list[str]:
    """Every non-empty cell of the downloaded workbook's sheet, as text."""
    sheet = load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True).active
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v]


def test_a_clerk_saves_exports_renames_reruns_and_deletes_a_search(page, demo_data, browser, live_server):
    clerk = User.objects.get(username="vanthu.bo")
    for number, subject in enumerate(SUBJECTS, start=301):
        _register(clerk, number, subject)

    login(page, "vanthu.bo", demo_data["vanthu.bo"].password)
    page.goto("/tim-kiem/?q=cong+van+dien+tu")
    assert "Tìm thấy 2 văn bản" in page.inner_text("[data-testid=search-count]")
    results = page.inner_text("[data-testid=search-results]")
    assert "liên thông với các bộ, ngành" in results and "xuất khẩu gạo" not in results

    page.fill("[data-testid=save-search-name]", "Công văn điện tử")
    page.click("[data-testid=save-search]")
    page.wait_for_load_state("networkidle")
    saved = page.locator("[data-testid=saved-searches]")
    assert saved.get_by_role("link", name="Công văn điện tử").count() == 1
    item = SavedSearch.objects.get(owner=clerk)
    assert (item.name, item.params.get("q")) == ("Công văn điện tử", "cong van dien tu")
    shot(page, "clerk-saved-search")

    # «Xuất Excel»: a real .xlsx download with every match and its Vietnamese intact.
    with page.expect_download() as download_info:
        page.click("[data-testid=search-export]")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    exported = _cells(download.path())
    assert SUBJECTS[0] in exported and SUBJECTS[1] in exported
    assert not any("xuất khẩu gạo" in v for v in exported)

    # Rename it.
    page.locator("[data-saved] details summary").click()
    page.fill("[data-testid=saved-rename-name]", "Công văn điện tử — theo dõi")
    page.click("[data-testid=saved-rename]")
    page.wait_for_load_state("networkidle")
    assert saved.get_by_role("link", name="Công văn điện tử — theo dõi").count() == 1

    # A new matching document arrives; the saved search finds it on its next run.
    _register(clerk, 304, "V/v tập huấn sử dụng công văn điện tử")
    page.goto("/")
    page.goto("/tim-kiem/")
    page.get_by_role("link", name="Công văn điện tử — theo dõi").click()
    page.wait_for_url(re.compile(r"/tim-kiem/"))
    assert "Tìm thấy 3 văn bản" in page.inner_text("[data-testid=search-count]")
    assert "tập huấn sử dụng công văn điện tử" in page.inner_text("[data-testid=search-results]")

    # Delete it, after the browser's confirmation.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=saved-delete]")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=saved-searches]").count() == 0
    assert not SavedSearch.objects.filter(owner=clerk).exists()

    # A specialist of a unit the documents never reached sees none of them.
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(30000)
    other = context.new_page()
    try:
        login(other, "cv.khtc", demo_data["cv.khtc"].password)
        other.goto("/tim-kiem/?q=cong+van+dien+tu")
        assert "Tìm thấy 0 văn bản" in other.inner_text("[data-testid=search-count]")
        with other.expect_download() as empty_info:
            other.click("[data-testid=search-export]")
        assert not any("công văn điện tử" in v for v in _cells(empty_info.value.path()))
    finally:
        context.close()


def test_the_exact_count_behind_a_lower_bound_on_request(page, demo_data, monkeypatch):
    """Small limits stand for the 1,000 and 10,000 of a large install (the live server
    runs in this process): the page says «hơn 1», and «Đếm chính xác» shows the figure."""
    from vanban.search import selectors

    clerk = User.objects.get(username="vanthu.bo")
    for number, subject in enumerate(SUBJECTS, start=401):
        _register(clerk, number, subject)
    monkeypatch.setattr(selectors, "EXACT_LIMIT", 1)
    monkeypatch.setattr(selectors, "WALK_COUNT_LIMIT", 1)
    login(page, "vanthu.bo", demo_data["vanthu.bo"].password)
    page.goto("/tim-kiem/?q=cong+van+dien+tu")
    assert "hơn 1" in page.inner_text("[data-testid=search-count]")
    exact = page.locator("[data-testid=exact-count]")
    exact.click()  # «Đếm chính xác»: counting every match is asked for, not run on every page
    exact.filter(has_text="Tổng cộng chính xác").wait_for()
    assert exact.inner_text() == "Tổng cộng chính xác: 2 văn bản."
    shot(page, "clerk-search-exact-count")
