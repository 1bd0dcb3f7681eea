"""The calendar and the deadline rules through /api/v1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from vanban.organisation.roles import Role
from vanban.workcalendar.models import CalendarDay, DeadlineRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    return make_user("quantri", roles=[Role.SYSTEM_ADMIN])


def test_everyone_reads_the_calendar_only_the_admin_edits_it(
    admin: Any, make_user: Any, make_unit: Any, api_client: Any
) -> None:
    specialist = api_client(make_user("cv.a", roles=[Role.SPECIALIST], unit=make_unit("Vụ Kế hoạch")))
    days = specialist.get("/api/v1/calendar/days?year=2026").json()
    assert {"date": "2026-01-10", "kind": "workday"} .items() <= next(d for d in days if d["date"] == "2026-01-10").items()
    assert specialist.post("/api/v1/calendar/days", {"date": "2028-01-03", "name": "Nghỉ"}, format="json").status_code == 403

    client = api_client(admin)
    r = client.post("/api/v1/calendar/days", {"date": "2028-01-03", "name": "Nghỉ bù", "kind": "holiday"}, format="json")
    assert r.status_code == 201, r.json()
    again = client.post("/api/v1/calendar/days", {"date": "2028-01-03", "name": "Nghỉ bù"}, format="json")
    assert (again.status_code, again.json()["code"], again.json()["field"]) == (400, "duplicate_day", "date")
    assert client.delete(f"/api/v1/calendar/days/{r.json()['id']}").status_code == 204
    assert not CalendarDay.objects.filter(date="2028-01-03").exists()

    r = client.post("/api/v1/calendar/copy", {"source": 2027, "target": 2028}, format="json")
    assert r.status_code == 201 and len(r.json()["created"]) == CalendarDay.objects.filter(date__year=2027).count()


def test_check_a_date_and_add_working_days(admin: Any, api_client: Any) -> None:
    r = api_client(admin).get("/api/v1/calendar/check?date=2026-02-13&add=1").json()
    assert r == {"date": "2026-02-13", "is_working_day": True, "warning": "", "plus_working_days": "2026-02-23"}
    r = api_client(admin).get("/api/v1/calendar/check?date=2026-02-17").json()
    assert r["is_working_day"] is False and "Tết Nguyên đán" in r["warning"]


def test_settings_and_rules(admin: Any, api_client: Any) -> None:
    client = api_client(admin)
    assert client.get("/api/v1/calendar/settings").json() == {"weekend_days": [5, 6], "reminder_days": 2,
                                                               "escalation_days": 2}
    r = client.put("/api/v1/calendar/settings", {"weekend_days": [6], "reminder_days": 3, "escalation_days": 1},
                   format="json")
    assert r.status_code == 200 and r.json()["weekend_days"] == [6]
    rules = client.get("/api/v1/deadline-rules").json()
    assert {(x["urgency"], x["working_days"]) for x in rules} == {("normal", 10), ("khan", 3), ("thuong_khan", 2),
                                                                  ("hoa_toc", 1)}
    r = client.post("/api/v1/deadline-rules", {"urgency": "khan", "working_days": 4}, format="json")
    assert r.status_code == 200 and DeadlineRule.objects.get(document_type=None, urgency="khan").working_days == 4
    r = client.post("/api/v1/deadline-rules", {"working_days": 4}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "urgency_required")
    base = DeadlineRule.objects.get(document_type=None, urgency="normal")
    assert client.delete(f"/api/v1/deadline-rules/{base.pk}").json()["code"] == "base_rule"
