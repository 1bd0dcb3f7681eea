"""Deadlines in a real browser, end to end: a document directed to a specialist two weeks
ago is now past its deadline. The Minister opens "Thống kê", clicks the overdue figure,
opens the document from the list, goes to the overdue assignment and urges it with a
message. The specialist, who has the home page open in his own browser, sees his bell
count rise without reloading, opens the notice and lands on the assignment of that
document with the urge in its timeline.

The overdue work is built through the real services with the clock set back two weeks
(freezegun, during set-up only), so the deadline was valid when given."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from freezegun import freeze_time

from vanban.documents.models import DocumentType
from vanban.e2e.conftest import as_user, login, shot
from vanban.incoming.services import IncomingData, register_incoming
from vanban.notifications.models import Notification
from vanban.notifications.services import mark_read
from vanban.workflow import services as workflow
from vanban.workflow.models import Assignment, Step
from vanban.workflow.services import AssigneeSpec

pytestmark = pytest.mark.browser

SUBJECT = "V/v báo cáo tình hình xuất khẩu gạo quý III"
URGE = "Đề nghị đồng chí Khoa hoàn thành báo cáo trước 16 giờ hôm nay."


def _overdue_assignment(users: dict[str, Any]) -> Assignment:
    """Registered, presented and directed 14 days ago with a 3-day deadline."""
    given = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(days=14)
    with freeze_time(given):
        doc = register_incoming(
            actor=users["vanthu.bo"],
            data=IncomingData(
                document_type=DocumentType.objects.get(code="cong-van"),
                issuing_organ_name="Hiệp hội Lương thực Việt Nam",
                code_number="215",
                code_notation="HHLTVN",
                issued_date=timezone.localdate() - dt.timedelta(days=1),
                subject=SUBJECT,
            ),
        )
        presentation = workflow.present(actor=users["vanthu.bo"], document=doc, leader=users["bt.hoang"])
        direction = workflow.direct(
            actor=users["bt.hoang"],
            presentation=presentation,
            text="Giao đồng chí Khoa chủ trì tổng hợp, báo cáo Bộ trưởng.",
            assignees=[AssigneeSpec("lead", user=users["cv.qlxk"], deadline=timezone.localdate() + dt.timedelta(days=3))],
        )
    lead = direction.assignments.get()
    assert lead.is_overdue
    return lead


def test_leader_drills_into_overdue_work_urges_it_and_the_specialist_is_told(
    browser: Any, live_server: Any, demo_data: Any, page: Any, settings: Any
) -> None:
    from django.contrib.auth import get_user_model

    settings.VANBAN_BELL_POLL_SECONDS = 1  # the live server reads it per request
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["vanthu.bo", "bt.hoang", "cv.qlxk"])}
    lead = _overdue_assignment(users)
    doc = lead.document
    # The specialist has read what he had (the notice of the assignment itself).
    mark_read(user=users["cv.qlxk"])

    with as_user(browser, live_server, "cv.qlxk", demo_data["cv.qlxk"].password) as specialist:
        specialist.wait_for_selector("#vb-bell-count.vb-bell-live", state="attached")
        assert specialist.locator("[data-testid=bell-count]").count() == 0
        specialist.evaluate("window.__sameDocument = true")

        # The Minister: dashboard → the overdue figure → the document → its assignment.
        login(page, "bt.hoang", demo_data["bt.hoang"].password)
        page.click("[data-nav-section=work]")
        page.click("[data-nav=reports]")
        figure = page.locator("[data-testid=reports-totals] [data-figure=overdue]")
        assert figure.inner_text().strip() == "1"
        shot(page, "deadline-1-dashboard")
        figure.click()
        page.wait_for_url(re.compile(r"figure=work.*value=overdue|value=overdue.*figure=work"))
        assert page.inner_text("[data-testid=figure-count]").strip() == "1"
        rows = page.locator("[data-testid=figure-list] tbody tr")
        assert rows.count() == 1 and SUBJECT in rows.first.inner_text()
        shot(page, "deadline-2-overdue-list")
        rows.first.locator(f"a[href='/van-ban-den/{doc.pk}/']").first.click()
        page.wait_for_url(re.compile(rf"/van-ban-den/{doc.pk}/$"))
        row = page.locator(f"[data-testid=assignments] [data-assignment='{lead.pk}']")
        assert "table-danger" in (row.get_attribute("class") or "")  # marked overdue
        assert "quá hạn" in row.inner_text()
        row.locator("a").click()
        page.wait_for_url(re.compile(rf"/giao-viec/{lead.pk}/$"))

        page.click("[data-action=urge] summary")
        page.fill("textarea[name=urge-message]", URGE)
        shot(page, "deadline-3-urge")
        page.click("[data-action=urge] button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert "Đã đôn đốc" in page.inner_text("main")

        # The specialist's bell counts the urge by itself: his page was not reloaded.
        specialist.wait_for_selector("[data-testid=bell-count]", timeout=10000)
        assert specialist.inner_text("[data-testid=bell-count]").startswith("1")
        assert specialist.evaluate("window.__sameDocument") is True
        shot(specialist, "deadline-4-bell-counts")
        specialist.click("#vb-bell-toggle")
        item = specialist.locator("[data-testid=bell-items] a").first
        item.wait_for()
        assert "Hoàng Đức Thắng đôn đốc" in item.inner_text() and SUBJECT in item.inner_text()
        item.click()
        specialist.wait_for_url(re.compile(rf"/giao-viec/{lead.pk}/$"))
        # The notice leads to the document's assignment: the document, the urge and its message.
        assert specialist.locator(f"a[href='/van-ban-den/{doc.pk}/']").first.inner_text().strip() == SUBJECT
        timeline = specialist.inner_text("[data-testid=workflow-timeline]")
        assert "Đôn đốc" in timeline and URGE in timeline
        specialist.wait_for_selector("#vb-bell-count.vb-bell-live", state="attached")
        assert specialist.locator("[data-testid=bell-count]").count() == 0
        shot(specialist, "deadline-5-specialist-reads")

    urged = Notification.objects.get(kind="assignment.urged", recipient=users["cv.qlxk"])
    assert urged.url == f"/giao-viec/{lead.pk}/" and urged.read_at is not None and URGE in urged.body
    assert Step.objects.filter(assignment=lead, kind=Step.Kind.URGED, text=URGE).count() == 1
