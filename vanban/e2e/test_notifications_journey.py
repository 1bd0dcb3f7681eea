"""The bell, in a real browser: the Minister has the home page open; in her own browser
the ministry clerk presents a document to him; his bell counts it without his page
reloading; he opens the bell, clicks the notification, lands on the presentation and
the count is gone."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from vanban.documents.models import DocumentType
from vanban.e2e.conftest import as_user, login, shot
from vanban.incoming.services import IncomingData, register_incoming

pytestmark = pytest.mark.browser

SUBJECT = "V/v đề nghị hỗ trợ doanh nghiệp xuất khẩu thủy sản"


def test_leader_sees_the_bell_count_rise_without_reloading(
    browser: Any, live_server: Any, demo_data: Any, page: Any, settings: Any
) -> None:
    from django.contrib.auth import get_user_model

    settings.VANBAN_BELL_POLL_SECONDS = 1  # the live server reads it per request
    User = get_user_model()
    clerk = User.objects.get(username="vanthu.bo")
    doc = register_incoming(
        actor=clerk,
        data=IncomingData(
            document_type=DocumentType.objects.get(code="cong-van"),
            issuing_organ_name="Ủy ban nhân dân tỉnh Cà Mau",
            code_number="88",
            code_notation="UBND-KT",
            issued_date=timezone.localdate() - dt.timedelta(days=1),
            subject=SUBJECT,
        ),
    )

    # The Minister is on his home page; nothing under the bell yet.
    login(page, "bt.hoang", demo_data["bt.hoang"].password)
    page.wait_for_selector("#vb-bell-count.vb-bell-live", state="attached")
    assert page.locator("[data-testid=bell-count]").count() == 0
    page.evaluate("window.__sameDocument = true")

    # The clerk, at her own desk, presents the document to him.
    with as_user(browser, live_server, "vanthu.bo", demo_data["vanthu.bo"].password) as desk:
        desk.goto(f"/van-ban-den/{doc.pk}/trinh/")
        desk.select_option("select[name=leader]", label="Hoàng Đức Thắng")
        desk.fill("textarea[name=proposal]", "Đề nghị Bộ trưởng cho ý kiến chỉ đạo")
        desk.click("[data-testid=present-form] button[type=submit]")
        desk.wait_for_url(re.compile(rf"/van-ban-den/{doc.pk}/$"))
        # The actor is never notified of their own action.
        assert desk.locator("[data-testid=bell-count]").count() == 0

    # His bell counts it by itself: the page was not reloaded.
    page.wait_for_selector("[data-testid=bell-count]", timeout=10000)
    assert page.inner_text("[data-testid=bell-count]").startswith("1")
    assert page.evaluate("window.__sameDocument") is True
    shot(page, "notifications-1-bell-counts")

    page.click("#vb-bell-toggle")
    item = page.locator("[data-testid=bell-items] a").first
    item.wait_for()
    assert SUBJECT in item.inner_text()
    shot(page, "notifications-2-bell-open")
    item.click()
    page.wait_for_url(re.compile(r"/trinh/\d+/$"))
    assert SUBJECT in page.content()
    page.wait_for_selector("#vb-bell-count.vb-bell-live", state="attached")
    assert page.locator("[data-testid=bell-count]").count() == 0

    # The "Thông báo" page keeps it, read.
    page.goto("/thong-bao/")
    row = page.locator("[data-testid=notification-list] tbody tr").first
    assert SUBJECT in row.inner_text() and "Mới" not in row.inner_text()
    shot(page, "notifications-3-list")
