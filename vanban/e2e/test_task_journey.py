"""Giao việc trực tiếp and đôn đốc in a real browser: the Minister gives a task that
comes from no document to a specialist, urges it; the specialist finds it in "Việc của
tôi" with the urge in its timeline and the notification, reports progress and completes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from vanban.e2e.conftest import as_user, login, shot
from vanban.notifications.models import Notification
from vanban.workflow.models import Task

pytestmark = pytest.mark.browser

TITLE = "Chuẩn bị báo cáo tổng kết công tác xuất khẩu năm 2026"


def test_minister_gives_a_task_urges_it_and_the_specialist_completes_it(
    browser: Any, live_server: Any, demo_data: Any, page: Any
) -> None:
    password = {u: demo_data[u].password for u in ("bt.hoang", "cv.qlxk")}
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()

    login(page, "bt.hoang", password["bt.hoang"])
    page.click("[data-nav-section=work]")
    page.click("[data-nav=task_new]")
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=content]", "Tổng hợp số liệu, dự thảo báo cáo trình Bộ trưởng.")
    page.select_option("select[name=role_0]", "lead")
    page.select_option("select[name=who_0]", label="Mạc Đăng Khoa")
    page.fill("input[name=deadline_0]", deadline)
    shot(page, "task-1-minister-gives-task")
    page.click("[data-testid=task-form] button[type=submit]")
    page.wait_for_url(re.compile(r"/cong-viec/\d+/$"))
    assert TITLE in page.inner_text("[data-testid=task-title]")
    task = Task.objects.get(title=TITLE)
    lead = task.assignments.get(role="lead")

    page.click(f"[data-testid=task-assignments] [data-assignment='{lead.pk}'] a")
    page.click("[data-action=urge] summary")
    page.fill("textarea[name=urge-message]", "Đề nghị đồng chí Khoa khẩn trương hoàn thành.")
    page.click("[data-action=urge] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Đã đôn đốc" in page.inner_text("main")
    shot(page, "task-2-minister-urges")

    # "Công việc được giao" lists it with its deadline and leads back to it.
    page.click("[data-nav-section=work]")
    page.click("[data-nav=tasks]")
    row = page.locator(f"[data-testid=task-list] [data-task='{task.pk}']")
    assert TITLE in row.inner_text() and dt.date.fromisoformat(deadline).strftime("%d/%m/%Y") in row.inner_text()
    shot(page, "task-2b-task-list")
    row.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/cong-viec/{task.pk}/$"))

    with as_user(browser, live_server, "cv.qlxk", password["cv.qlxk"]) as specialist:
        specialist.click("[data-box=process]")
        assert TITLE in specialist.inner_text("[data-testid=box-list]")
        specialist.click(f"text={TITLE}")
        timeline = specialist.inner_text("[data-testid=workflow-timeline]")
        assert "Đôn đốc" in timeline and "khẩn trương hoàn thành" in timeline
        specialist.click("[data-action=progress] summary")
        specialist.fill("input[name=progress-progress]", "50")
        specialist.click("[data-action=progress] button[type=submit]")
        specialist.wait_for_load_state("networkidle")
        specialist.click("[data-action=complete] summary")
        specialist.fill("textarea[name=complete-result]", "Đã gửi dự thảo báo cáo tổng kết.")
        specialist.click("[data-action=complete] button[type=submit]")
        specialist.wait_for_load_state("networkidle")
        shot(specialist, "task-3-specialist-completes")
        specialist.click("[data-testid=task-link]")
        assert "Đã hoàn thành" in specialist.inner_text("[data-testid=task-status]")
        specialist.click("[data-nav-section=work]")
        specialist.click("[data-nav=tasks]")
        assert specialist.locator(f"[data-task='{task.pk}']").count() == 0  # no longer in progress
        specialist.click("[data-testid=task-tabs] [data-status=completed]")
        assert TITLE in specialist.inner_text(f"[data-task='{task.pk}']")

    assert Notification.objects.filter(kind="assignment.urged", recipient__username="cv.qlxk").count() == 1
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED
