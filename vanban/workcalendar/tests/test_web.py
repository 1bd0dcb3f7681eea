"""The system administrator's calendar and deadline-rule pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from vanban.organisation.roles import Role
from vanban.workcalendar.models import CalendarDay, CalendarSettings, DeadlineRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("quantri", roles=[Role.SYSTEM_ADMIN])


def test_the_admin_edits_a_year(admin: Any, web_client: Any) -> None:
    client = web_client(admin)
    page = client.get(reverse("web:work_calendar") + "?nam=2026").content.decode()
    assert "17/02/2026" in page and "Tết Nguyên đán" in page and "Ngày làm bù" in page
    response = client.post(reverse("web:work_calendar"), {"action": "add", "nam": "2028", "date": "03/01/2028",
                                                          "kind": "holiday", "name": "Nghỉ bù Tết Dương lịch"})
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2028, 1, 3))
    again = client.post(reverse("web:work_calendar"), {"action": "add", "nam": "2028", "date": "2028-01-03",
                                                       "kind": "holiday", "name": "Trùng"})
    assert again.status_code == 400 and "đã có trong lịch" in again.content.decode()
    assert client.post(reverse("web:work_calendar_delete", args=[day.pk])).status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    response = client.post(reverse("web:work_calendar"), {"action": "copy", "nam": "2027", "source": "2027",
                                                          "target": "2028"})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date__year=2028).exists()
    response = client.post(reverse("web:work_calendar"), {"action": "settings", "weekend_days": ["6"],
                                                          "reminder_days": "3", "escalation_days": "1"})
    assert response.status_code == 302
    assert CalendarSettings.objects.get().weekend_days == [6]


def test_rules_page(admin: Any, web_client: Any) -> None:
    client = web_client(admin)
    assert "Hỏa tốc" in client.get(reverse("web:deadline_rules")).content.decode()
    response = client.post(reverse("web:deadline_rules"), {"document_type": "", "urgency": "khan",
                                                           "working_days": "4"})
    assert response.status_code == 302
    assert DeadlineRule.objects.get(document_type=None, urgency="khan").working_days == 4


def test_other_roles_get_403(make_user: Callable[..., Any], make_unit: Any, web_client: Any) -> None:
    clerk = web_client(make_user("vt.a", roles=[Role.UNIT_CLERK], unit=make_unit("Văn phòng")))
    assert clerk.get(reverse("web:work_calendar")).status_code == 403
    assert clerk.get(reverse("web:deadline_rules")).status_code == 403
