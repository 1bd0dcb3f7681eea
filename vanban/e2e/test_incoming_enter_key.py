"""Enter in a field of the registration form registers the document, although «Đọc tự
động» (a submit button too) stands before «Đăng ký» on the page; the button itself
still reads the file."""

from __future__ import annotations

import re

import pytest

from vanban.e2e.conftest import login, shot
from vanban.e2e.test_incoming_journey import _fill
from vanban.extraction.models import Proposal
from vanban.incoming.models import IncomingDocument
from vanban.search.tests.conftest import text_pdf

pytestmark = pytest.mark.browser


def test_enter_in_a_field_registers_and_auto_read_still_reads(page, demo_data):
    login(page, "vanthu.bo", demo_data["vanthu.bo"].password)
    _fill(page, subject="V/v phối hợp tổ chức hội chợ thương mại biên giới")
    # The hidden default is invisible to people and to assistive technology: one «Đăng ký».
    assert page.get_by_role("button", name="Đăng ký", exact=True).count() == 1
    page.locator("input[name=code_notation]").press("Enter")
    page.wait_for_url(re.compile(r"/van-ban-den/\d+/$"))
    document = IncomingDocument.objects.get()
    assert document.subject == "V/v phối hợp tổ chức hội chợ thương mại biên giới"
    assert document.files.count() == 1 and not Proposal.objects.exists()
    assert "Đã đăng ký văn bản đến số 1" in page.inner_text("main")
    shot(page, "clerk-incoming-enter-registered")

    page.goto("/van-ban-den/dang-ky/")
    page.set_input_files("input[name=files]", files=[{
        "name": "cong-van-doc-tu-dong.pdf", "mimeType": "application/pdf",
        "buffer": text_pdf(["UỶ BAN NHÂN DÂN", "TỈNH NGHỆ AN", "Số: 77/UBND-KT", "CÔNG VĂN"]),
    }])  # fmt: skip
    page.click("[data-testid=auto-read]")
    page.wait_for_url(re.compile(r"/van-ban-den/dang-ky/\?de_xuat="))
    assert Proposal.objects.get().file_name == "cong-van-doc-tu-dong.pdf"
    assert IncomingDocument.objects.count() == 1
