"""The outgoing journey in a real browser: a specialist drafts a công văn, the Vụ
trưởng approves, the Minister approves and signs it digitally, the ministry's Văn thư
numbers, seals and issues it, and the recipient unit's clerk finds it waiting."""

from __future__ import annotations

import re
from typing import Any

import pytest

from vanban.documents.models import DocumentType
from vanban.e2e.conftest import as_user, login, shot
from vanban.organisation.models import Unit
from vanban.outgoing.models import OutgoingDocument
from vanban.signatures import samples
from vanban.signatures import services as signatures

pytestmark = pytest.mark.browser

SUBJECT = "V/v phối hợp rà soát số liệu xuất khẩu năm 2026"
SIGNING_PASSWORD = "Ky@so2026"



def test_draft_review_sign_issue_receive(browser: Any, live_server: Any, demo_data: Any, page: Any,
                                         tmp_path: Any) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    minister = User.objects.get(username="bt.hoang")
    signatures.init_pki(actor=None)
    signatures.issue_certificate(actor=minister, user=minister, password=SIGNING_PASSWORD)
    xnk = Unit.objects.get(short_name="XNK")
    pw = {u: demo_data[u].password for u in ("cv.khtc", "vt.khtc", "bt.hoang", "vanthu.bo", "vanthu.xnk")}
    draft_pdf = tmp_path / "du-thao-cong-van.pdf"
    draft_pdf.write_bytes(samples.draft_pdf(title="CÔNG VĂN", summary=SUBJECT, type_abbreviation="BCT-KHTC",
                                             signer_name=minister.full_name))

    # 1. The specialist drafts and submits.
    login(page, "cv.khtc", pw["cv.khtc"])
    page.goto("/van-ban-di/soan-thao/")
    page.select_option("select[name=document_type]", str(DocumentType.objects.get(code="cong-van").pk))
    page.fill("textarea[name=subject]", SUBJECT)
    page.select_option("select[name=signer]", label=minister.full_name)
    page.select_option("select[name=signing_authority]", "")
    page.fill("input[name=signer_position]", "Bộ trưởng")
    page.select_option("select[name=recipients]", f"unit:{xnk.pk}")
    page.fill("textarea[name=to_places]", "- Cục Xuất nhập khẩu;\n- Lưu: VT, KHTC.")
    page.set_input_files("input[name=file]", str(draft_pdf))
    shot(page, "outgoing-1-draft")
    page.click("[data-testid=draft-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/van-ban-di/\d+/$"))
    doc = OutgoingDocument.objects.get()
    page.click("[data-action=submit] summary")
    page.fill("textarea[name=submit-note]", "Kính trình Vụ trưởng, Bộ trưởng xem xét, ký ban hành.")
    page.click("[data-action=submit] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Đang trình duyệt" in page.inner_text("[data-testid=status]")

    # 2. The Vụ trưởng approves; 3. the Minister approves and signs.
    with as_user(browser, live_server, "vt.khtc", pw["vt.khtc"]) as head:
        head.goto("/van-ban-di/hop/review/")
        head.click(f"text={SUBJECT}")
        head.click("[data-action=approve] summary")
        head.fill("textarea[name=approve-comment]", "Đồng ý nội dung, kính trình Bộ trưởng.")
        head.click("[data-action=approve] button[type=submit]")
        head.wait_for_load_state("networkidle")
    with as_user(browser, live_server, "bt.hoang", pw["bt.hoang"]) as leader:
        leader.goto(f"/van-ban-di/{doc.pk}/")
        leader.click("[data-action=approve] summary")
        leader.click("[data-action=approve] button[type=submit]")
        leader.wait_for_load_state("networkidle")
        leader.click("[data-action=sign] summary")
        leader.fill("input[name=sign-secret]", SIGNING_PASSWORD)
        shot(leader, "outgoing-2-minister-signs")
        leader.click("[data-action=sign] button[type=submit]")
        leader.wait_for_load_state("networkidle")
        assert "Đã ký, chờ ban hành" in leader.inner_text("[data-testid=status]")

    # 4. The ministry's clerk numbers, seals and issues.
    with as_user(browser, live_server, "vanthu.bo", pw["vanthu.bo"]) as clerk:
        clerk.goto("/van-ban-di/hop/issue/")
        clerk.click(f"text={SUBJECT}")
        clerk.click("[data-action=issue] summary")
        clerk.click("[data-action=issue] button[type=submit]")
        clerk.wait_for_load_state("networkidle")
        assert "01/BCT-KHTC" in clerk.inner_text("[data-testid=number-symbol]")
        shot(clerk, "outgoing-3-issued")

    # 5. The recipient unit's clerk finds it waiting to be presented.
    with as_user(browser, live_server, "vanthu.xnk", pw["vanthu.xnk"]) as receiver:
        receiver.goto("/van-ban-den/cho-trinh/")
        assert SUBJECT in receiver.inner_text("[data-testid=awaiting-list]")
        receiver.click(f"text={SUBJECT}")
        assert "BCT-KHTC" in receiver.inner_text("[data-testid=incoming-fields]")
        shot(receiver, "outgoing-4-received")
    doc.refresh_from_db()
    assert doc.status == OutgoingDocument.Status.ISSUED
