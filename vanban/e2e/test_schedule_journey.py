"""The week's schedule in a real browser: the office clerk drafts the leaders' week and
is warned of a leader's overlapping meetings, the Minister approves, the clerk
publishes, then moves a meeting; the change is marked "điều chỉnh", the participant is
notified, and a specialist elsewhere reads the published week."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from vanban.e2e.conftest import as_user, login, shot
from vanban.notifications.models import Notification
from vanban.schedule.selectors import monday_of

pytestmark = pytest.mark.browser


def test_clerk_drafts_leader_approves_clerk_publishes_and_adjusts(browser: Any, live_server: Any, demo_data: Any,
                                                                   page: Any) -> None:
    monday = monday_of(timezone.localdate())
    password = {u: demo_data[u].password for u in ("vanthu.bo", "bt.hoang", "cv.khtc")}

    login(page, "vanthu.bo", password["vanthu.bo"])
    page.goto("/lich-cong-tac/")
    page.click("text=Lập lịch tuần này")
    page.wait_for_url(re.compile(r"/lich-cong-tac/\d+/$"))
    schedule_url = page.url

    page.click("[data-testid=schedule-actions] a:has-text('Thêm mục lịch')")
    page.fill("input[name=date]", monday.isoformat())
    page.fill("input[name=start_time]", "08:00")
    page.fill("input[name=end_time]", "10:00")
    page.fill("textarea[name=content]", "Giao ban Lãnh đạo Bộ tuần")
    page.fill("input[name=place]", "Phòng họp số 1, trụ sở Bộ")
    page.select_option("select[name=chair]", label="Hoàng Đức Thắng")
    page.select_option("select[name=participants]", label="Nguyễn Thị Phương Lan")
    page.click("[data-testid=schedule-entry-form] button[type=submit]")
    page.wait_for_url(schedule_url)

    # A second meeting for the Minister at 9:00: the form warns before saving.
    page.click("[data-testid=schedule-actions] a:has-text('Thêm mục lịch')")
    page.fill("input[name=date]", monday.isoformat())
    page.fill("input[name=start_time]", "09:00")
    page.fill("textarea[name=content]", "Tiếp Đại sứ Nhật Bản")
    page.select_option("select[name=chair]", label="Hoàng Đức Thắng")
    page.wait_for_selector("[data-testid=overlap-warnings] .alert")
    assert "Trùng lịch: Hoàng Đức Thắng" in page.inner_text("[data-testid=overlap-warnings]")
    shot(page, "schedule-1-overlap-warning")
    page.click("[data-testid=schedule-entry-form] button[type=submit]")
    page.wait_for_url(schedule_url)
    assert "Trùng lịch: Hoàng Đức Thắng" in page.content()
    page.click("[data-testid=schedule-actions] button:has-text('Trình duyệt')")
    assert page.inner_text("[data-testid=schedule-status]") == "Chờ duyệt"

    with as_user(browser, live_server, "bt.hoang", password["bt.hoang"]) as leader:
        leader.goto(schedule_url)
        leader.click("[data-testid=schedule-actions] button:has-text('Duyệt lịch')")
        assert leader.inner_text("[data-testid=schedule-status]") == "Đã duyệt"

    page.goto(schedule_url)
    page.click("[data-testid=schedule-actions] >> text=Công bố")
    assert page.inner_text("[data-testid=schedule-status]") == "Đã công bố"

    # Move the weekly meeting to the afternoon after publishing.
    page.locator("[data-testid=schedule-entry]", has_text="Giao ban").locator("text=Sửa").click()
    page.fill("input[name=start_time]", "14:00")
    page.fill("input[name=end_time]", "16:00")
    page.click("[data-testid=schedule-entry-form] button[type=submit]")
    page.wait_for_url(schedule_url)
    moved = page.locator("[data-testid=schedule-entry]", has_text="Giao ban")
    assert "Điều chỉnh" in moved.inner_text() and "08:00–10:00 → 14:00–16:00" in moved.inner_text()
    shot(page, "schedule-2-adjusted")
    assert Notification.objects.filter(kind="schedule.changed", recipient__username="tt.nguyen").exists()

    with as_user(browser, live_server, "cv.khtc", password["cv.khtc"]) as specialist:
        specialist.goto("/lich-cong-tac/")
        grid = specialist.inner_text("[data-testid=schedule-grid]")
        assert "Giao ban Lãnh đạo Bộ tuần" in grid and "Tiếp Đại sứ Nhật Bản" in grid
        assert specialist.locator("text=Thêm mục lịch").count() == 0
        shot(specialist, "schedule-3-specialist-reads")
