"""A clerk types a subject with a .VnTime (TCVN3) keyboard: leaving the field converts it
with a notice showing before → after; «Hoàn tác» puts the typed text back, and the
document is stored with the subject as typed. Another field keeps its conversion."""

from __future__ import annotations

import re

import pytest

from vanban.audit.models import AuditEvent
from vanban.documents.models import DocumentType
from vanban.documents.text import tcvn3
from vanban.e2e.conftest import login, shot
from vanban.incoming.models import IncomingDocument

pytestmark = pytest.mark.browser

SUBJECT = "V/v báo cáo tình hình xuất khẩu gạo quý III"
SIGNER = "Nguyễn Văn Tỉnh"


def test_clerk_undoes_the_conversion_of_one_field(page, demo_data):
    typed_subject, typed_signer = tcvn3.encode(SUBJECT), tcvn3.encode(SIGNER)
    assert typed_subject != SUBJECT
    login(page, "vanthu.bo", demo_data["vanthu.bo"].password)
    page.goto("/van-ban-den/dang-ky/")
    page.select_option("select[name=document_type]", str(DocumentType.objects.get(name="Công văn").pk))
    page.fill("input[name=issuing_organ_name]", "Ủy ban nhân dân tỉnh Nghệ An")
    page.fill("input[name=code_number]", "77")
    page.fill("input[name=code_notation]", "UBND-KT")
    page.fill("input[name=issued_date]", "2026-11-20")

    subject = page.locator("textarea[name=subject]")
    subject.fill(typed_subject)
    subject.press("Tab")  # leaving the field checks it
    notice = page.locator('[data-text-notice="subject"]')
    notice.wait_for()
    assert subject.input_value() == SUBJECT
    assert notice.inner_text().startswith(
        f"Đã chuyển từ mã TCVN3 sang Unicode: «{typed_subject}» → «{SUBJECT}»."
    )
    shot(page, "clerk-text-guard-notice")
    notice.get_by_role("button", name="Hoàn tác").click()
    assert subject.input_value() == typed_subject
    assert "Giữ nguyên như đã gõ" in notice.inner_text()
    assert page.locator("input[name=keep_as_typed]").input_value() == "subject"

    signer = page.locator("input[name=signer_name]")
    signer.fill(typed_signer)
    signer.press("Tab")
    page.locator('[data-text-notice="signer_name"]').wait_for()
    assert signer.input_value() == SIGNER
    shot(page, "clerk-text-guard-undone")

    page.click("main form button[type=submit]:not([formaction])")
    page.wait_for_url(re.compile(r"/van-ban-den/\d+/$"))
    document = IncomingDocument.objects.get()
    assert document.subject == typed_subject and document.signer_name == SIGNER
    assert "Trích yếu nội dung: giữ nguyên như đã gõ" in page.inner_text("main")
    event = AuditEvent.objects.get(action="incoming.registered", target_id=str(document.pk))
    assert event.data["kept_as_typed"] == ["subject"]
