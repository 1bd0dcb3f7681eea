"""The inter-agency exchange in a real browser: the administrator imports partners from
CSV and sees them in the directory; documents arrive from Nghệ An; the clerk registers
one (status 03 queued back), refuses another with a reason (02), then agrees to the
sender's recall of the registered one (15); the administrator sends a dead letter again."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from vanban.documents.tests.docs_world import pdf_bytes
from vanban.e2e.conftest import as_user, login, shot
from vanban.exchange import edxml, outbox
from vanban.exchange.messages import VIETNAM, Attachment, Business, OrganInfo, TraceHeader
from vanban.exchange.models import ChangeRequest, OutboxMessage, ReceivedMessage
from vanban.exchange.services import receive_message
from vanban.exchange.tests.conftest import simple_message

pytestmark = pytest.mark.browser

NGHE_AN = OrganInfo(organ_id="000.00.00.H41", organization_in_charge="UBND tỉnh Nghệ An", organ_name="UBND tỉnh Nghệ An")
MINISTRY = OrganInfo(organ_id="000.00.00.G02", organization_in_charge="Bộ Công Thương", organ_name="Bộ Công Thương")
PARTNERS_CSV = (
    "ma_dinh_danh,ten_co_quan,cach_truyen,dia_chi,ma_thong_bao_den,ma_thong_bao_di,van_tay_chung_thu,hoat_dong\n"
    "000.00.00.H41,UBND tỉnh Nghệ An,http,http://127.0.0.1:9,,,,1\n"
    "000.00.00.H14,UBND tỉnh Cao Bằng,http,http://127.0.0.1:9,,,,1\n"
)


def _from_nghe_an(number: int, subject: str, business: Business | None = None) -> bytes:
    message = simple_message(
        from_organ=NGHE_AN, to_organs=[MINISTRY], document_id=f"000.00.00.H41,2026/03/05,{number}/UBND-KT",
        code_number=str(number), code_notation="UBND-KT", subject=subject, content=subject,
        trace_headers=[TraceHeader(organ_id="000.00.00.H41", timestamp=dt.datetime(2026, 3, 5, 9, 0, tzinfo=VIETNAM))],
        business=business or Business(business_doc_type=0, reason="Văn bản điện tử mới", paper=0),
        attachments=[Attachment(content_id=f"cid-{number}", name=f"{number}-UBND-KT.pdf", description="",
                                content_type="application/pdf", data=pdf_bytes(marker=f"{number}/UBND-KT"))],
    )  # fmt: skip
    return edxml.build_document(message)


def _row(page, text: str):
    return page.locator("[data-testid=received] tbody tr", has_text=text)


def test_partners_received_documents_recall_and_dead_letters(page, demo_data, browser, live_server, settings):
    settings.VANBAN_EXCHANGE_MAX_ATTEMPTS = 1  # a refused connection is a dead letter at once

    # The administrator imports the directory.
    login(page, "quantri", demo_data["quantri"].password)
    page.goto("/quan-tri/lien-thong/co-quan/nhap/")
    page.set_input_files("input[type=file]", files=[{"name": "danh-ba.csv", "mimeType": "text/csv",
                                                     "buffer": PARTNERS_CSV.encode("utf-8")}])  # fmt: skip
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/quan-tri/lien-thong/co-quan/$"))
    main = page.inner_text("main")
    assert "Đã nhập danh bạ: thêm 2" in main and "UBND tỉnh Nghệ An" in main and "000.00.00.H14" in main
    shot(page, "exchange-partners")

    # Two documents arrive from Nghệ An; each owes it a status 01, which cannot be delivered.
    for number, subject in ((125, "V/v báo cáo xuất khẩu gạo quý I"), (126, "V/v mời họp giao ban")):
        receive_message(actor=None, data=_from_nghe_an(number, subject), channel="http")
    assert outbox.deliver_due().dead == 2

    with as_user(browser, live_server, "vanthu.bo", demo_data["vanthu.bo"].password) as clerk:
        clerk.goto("/van-ban-lien-thong/")
        assert _row(clerk, "125/UBND-KT").count() == 1 and _row(clerk, "126/UBND-KT").count() == 1
        shot(clerk, "exchange-received")
        _row(clerk, "125/UBND-KT").get_by_role("button", name="Tiếp nhận, vào sổ").click()
        clerk.wait_for_url(re.compile(r"/van-ban-den/\d+/$"))
        doc_url = clerk.url
        assert "V/v báo cáo xuất khẩu gạo quý I" in clerk.inner_text("main")
        assert OutboxMessage.objects.filter(kind="status", status_code="03").count() == 1

        clerk.goto("/van-ban-lien-thong/")
        row = _row(clerk, "126/UBND-KT")
        row.get_by_placeholder("Lý do từ chối", exact=True).fill("Không thuộc thẩm quyền giải quyết của Bộ")
        row.get_by_role("button", name="Từ chối", exact=True).click()
        clerk.wait_for_load_state("networkidle")
        assert "Đã từ chối và báo trạng thái 02" in clerk.inner_text("main")
        refused = OutboxMessage.objects.get(kind="status", status_code="02")
        assert "Không thuộc thẩm quyền" in edxml.parse(edxml_bytes(refused)).description

        # Nghệ An recalls the document the clerk registered.
        recall = Business(business_doc_type=1, reason="Ban hành nhầm, thu hồi để sửa số liệu", paper=0)
        receive_message(actor=None, data=_from_nghe_an(125, "V/v báo cáo xuất khẩu gạo quý I", recall), channel="http")
        clerk.goto("/van-ban-lien-thong/")
        recall_row = _row(clerk, "Thu hồi")
        assert "Chờ văn thư quyết định" in recall_row.inner_text()
        recall_row.get_by_role("link", name=re.compile("Văn bản đến số")).click()
        clerk.wait_for_url(doc_url)
        panel = clerk.locator("[data-testid=exchange-changes]")
        assert "Ban hành nhầm, thu hồi để sửa số liệu" in panel.inner_text()
        shot(clerk, "exchange-recall-request")
        panel.get_by_role("button", name="Đồng ý thu hồi").click()
        clerk.wait_for_url(doc_url)
        assert "Văn bản đã bị bên gửi thu hồi" in clerk.inner_text("[data-testid=exchange-marking]")
        assert ChangeRequest.objects.get().state == "accepted"
        assert OutboxMessage.objects.filter(kind="status", status_code="15").count() == 1
        assert ReceivedMessage.objects.filter(status="change").count() == 1

    # The administrator sends one dead letter again.
    dead = set(OutboxMessage.objects.filter(state="dead").values_list("pk", flat=True))
    page.goto("/quan-tri/lien-thong/gui-loi/")
    rows = page.locator("[data-testid=outbox] tbody tr")
    assert rows.count() == 2 and "Gửi không thành công" in rows.first.inner_text()
    shot(page, "exchange-dead-letters")
    rows.first.get_by_role("button", name="Gửi lại").click()
    page.wait_for_load_state("networkidle")
    assert "Đã đưa thông điệp vào hàng đợi gửi lại." in page.inner_text("main")
    assert page.locator("[data-testid=outbox] tbody tr").count() == 1
    retried = OutboxMessage.objects.filter(pk__in=dead, state="pending", attempts=0)
    assert len(dead) == 2 and retried.count() == 1 and retried.get().status_code == "01"


def edxml_bytes(row: OutboxMessage) -> bytes:
    from vanban.documents import storage

    return storage.read_blob(row.raw.sha256)
