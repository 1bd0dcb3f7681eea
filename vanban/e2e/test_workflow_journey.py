"""The journey the seed regulation exists for, in a real browser: the ministry clerk
presents an incoming document to the Minister, who directs Cục Xuất nhập khẩu to lead;
the Cục's director passes it to a specialist, who reports progress and completes it;
the director closes the unit's assignment and the document is done."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from vanban.documents.models import DocumentType
from vanban.e2e.conftest import as_user, login, shot
from vanban.incoming.models import IncomingDocument
from vanban.incoming.services import IncomingData, register_incoming
from vanban.organisation.models import Unit

pytestmark = pytest.mark.browser

SUBJECT = "V/v đề nghị báo cáo tình hình xuất khẩu gạo năm 2026"



def test_clerk_leader_unit_leader_specialist_completion(browser: Any, live_server: Any, demo_data: Any,
                                                        page: Any) -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    clerk = User.objects.get(username="vanthu.bo")
    doc = register_incoming(actor=clerk, data=IncomingData(
        document_type=DocumentType.objects.get(code="cong-van"), issuing_organ_name="Ủy ban nhân dân tỉnh An Giang", code_number="512",
        code_notation="UBND-KT", issued_date=timezone.localdate() - dt.timedelta(days=1), subject=SUBJECT,
        urgency="khan",
    ))
    deadline = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    xnk = Unit.objects.get(short_name="XNK")
    password = {u: demo_data[u].password for u in ("vanthu.bo", "bt.hoang", "ct.xnk", "cv.qlxk")}

    # 1. The clerk presents it from "Văn bản chờ trình".
    login(page, "vanthu.bo", password["vanthu.bo"])
    page.click("[data-testid=work-boxes] [data-box=awaiting]")
    assert SUBJECT in page.inner_text("[data-testid=awaiting-list]")
    page.click(f"[data-incoming='{doc.pk}'] a.btn")
    page.select_option("select[name=leader]", label="Hoàng Đức Thắng")
    page.fill("textarea[name=proposal]", "Đề nghị Bộ trưởng giao Cục Xuất nhập khẩu chủ trì")
    shot(page, "workflow-1-clerk-presents")
    page.click("[data-testid=present-form] button[type=submit]")
    page.wait_for_url(re.compile(rf"/van-ban-den/{doc.pk}/$"))
    assert "Đang trình Hoàng Đức Thắng" in page.inner_text("[data-testid=workflow-panel]")

    # 2. The Minister sees it counted in the navigation and directs it.
    with as_user(browser, live_server, "bt.hoang", password["bt.hoang"]) as leader:
        assert leader.inner_text("[data-count=home]") == "1"
        leader.click("[data-box=direct]")
        leader.click("[data-presentation] a.btn")
        assert "Đề nghị Bộ trưởng giao Cục Xuất nhập khẩu chủ trì" in leader.inner_text("[data-testid=proposal]")
        leader.fill("textarea[name=text]", "Giao Cục Xuất nhập khẩu chủ trì, báo cáo Bộ trước hạn.")
        leader.select_option("select[name=role_0]", "lead")
        leader.select_option("select[name=who_0]", f"u:{xnk.pk}")
        leader.fill("input[name=deadline_0]", deadline)
        leader.select_option("select[name=role_1]", "info")
        leader.select_option("select[name=who_1]", label="Bùi Thị Mai")
        shot(leader, "workflow-2-minister-directs")
        leader.click("[data-testid=direction-form] button[type=submit]")
        leader.wait_for_url(re.compile(rf"/van-ban-den/{doc.pk}/$"))
        order = leader.inner_text("[data-testid=direction]")
        assert "Hoàng Đức Thắng" in order and "Chủ trì: Cục Xuất nhập khẩu" in order
        shot(leader, "workflow-3-direction-as-order")

    # 3. The Cục's director passes it to a specialist.
    with as_user(browser, live_server, "ct.xnk", password["ct.xnk"]) as director:
        director.click("[data-box=process]")
        director.click(f"text={SUBJECT}")
        director.click("[data-testid=reassign]")
        director.fill("textarea[name=text]", "Giao đồng chí Khoa tổng hợp, dự thảo báo cáo.")
        director.select_option("select[name=who_0]", label="Mạc Đăng Khoa")
        director.fill("input[name=deadline_0]", (timezone.localdate() + dt.timedelta(days=7)).isoformat())
        shot(director, "workflow-4-director-reassigns")
        director.click("[data-testid=reassign-form] button[type=submit]")
        director.wait_for_url(re.compile(r"/giao-viec/\d+/$"))
        assert "Mạc Đăng Khoa" in director.inner_text("[data-testid=children]")

        # 4. The specialist reports progress and completes.
        with as_user(browser, live_server, "cv.qlxk", password["cv.qlxk"]) as specialist:
            specialist.click("[data-box=process]")
            specialist.click(f"text={SUBJECT}")
            specialist.click("[data-action=progress] summary")
            specialist.fill("input[name=progress-progress]", "60")
            specialist.fill("input[name=progress-text]", "Đã có số liệu của Tổng cục Hải quan")
            specialist.click("[data-action=progress] button[type=submit]")
            specialist.wait_for_load_state("networkidle")
            assert "60%" in specialist.inner_text("[data-testid=assignment-fields]")
            specialist.click("[data-action=complete] summary")
            specialist.fill("textarea[name=complete-result]", "Đã dự thảo báo cáo, trình lãnh đạo Cục.")
            specialist.click("[data-action=complete] button[type=submit]")
            specialist.wait_for_load_state("networkidle")
            assert "Hoàn thành" in specialist.inner_text("main")
            shot(specialist, "workflow-5-specialist-completes")

        director.reload()
        director.click("[data-action=complete] summary")
        director.fill("textarea[name=complete-result]", "Cục Xuất nhập khẩu đã báo cáo Bộ.")
        director.click("[data-action=complete] button[type=submit]")
        director.wait_for_load_state("networkidle")

    doc.refresh_from_db()
    assert doc.status == IncomingDocument.Status.COMPLETED
    page.goto(f"/van-ban-den/{doc.pk}/")
    panel = page.inner_text("[data-testid=workflow-panel]")
    assert "Đã xử lý xong" in panel and "Đã xem" in panel  # the clerk was informed and has now read it
    page.click("[data-testid=workflow-panel] details summary")
    shot(page, "workflow-6-document-completed")
