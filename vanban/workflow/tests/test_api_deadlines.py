"""Deadline warnings, đôn đốc and direct tasks through /api/v1."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from freezegun import freeze_time

from vanban.notifications.models import Notification
from vanban.workflow.models import Step, Task
from vanban.workflow.tests.conftest import Flow, in_days

pytestmark = pytest.mark.django_db


def test_a_direction_on_a_holiday_is_created_with_a_warning(flow: Flow, api_client: Any) -> None:
    with freeze_time("2026-02-09 09:00:00+07:00"):
        pres = flow.present()
        r = api_client(flow.leader).post(f"/api/v1/presentations/{pres.pk}/direction", {
            "text": "Cục XNK chủ trì",
            "assignees": [{"role": "lead", "unit": flow.world.dept.pk, "deadline": "2026-02-17"},
                          {"role": "cooperate", "unit": flow.world.other.pk}],
        }, format="json")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["warnings"] == ["Hạn xử lý 17/02/2026 rơi vào ngày nghỉ Tết Nguyên đán."]
    coop = next(a for a in body["assignments"] if a["role"] == "cooperate")
    assert coop["deadline"] == "2026-03-02"  # the rule for a normal document: 10 working days


def test_urge_by_api_and_refusals(flow: Flow, api_client: Any) -> None:
    lead = flow.direct()[0]
    r = api_client(flow.leader).post(f"/api/v1/assignments/{lead.pk}/urge", {"message": "Khẩn trương"},
                                     format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["kind"] == "urged"
    assert Notification.objects.filter(kind="assignment.urged", recipient=flow.world.leader).count() == 1
    # A specialist of another unit does not even see the assignment.
    r = api_client(flow.outsider).post(f"/api/v1/assignments/{lead.pk}/urge", {}, format="json")
    assert r.status_code == 404
    # The handler sees it but has no authority to urge.
    r = api_client(flow.world.leader).post(f"/api/v1/assignments/{lead.pk}/urge", {}, format="json")
    assert r.status_code == 403, r.json()
    r = api_client(flow.leader).post(f"/api/v1/assignments/{lead.pk}/urge", {"mesage": "x"}, format="json")
    assert r.status_code == 400
    assert Step.objects.filter(kind=Step.Kind.URGED).count() == 1


def test_direct_task_by_api(flow: Flow, api_client: Any) -> None:
    w = flow.world
    leader = api_client(flow.leader)
    r = leader.post("/api/v1/tasks", {
        "title": "Chuẩn bị báo cáo tổng kết năm",
        "content": "Tổng hợp số liệu xuất khẩu năm.",
        "assignees": [{"role": "lead", "user": w.specialist.pk, "deadline": in_days(5).isoformat()},
                      {"role": "info", "unit": w.other.pk}],
    }, format="json")
    assert r.status_code == 201, r.json()
    task_id = r.json()["id"]
    lead_id = next(a["id"] for a in r.json()["assignments"] if a["role"] == "lead")
    specialist = api_client(w.specialist)
    assert [t["id"] for t in specialist.get("/api/v1/tasks").json()["results"]] == [task_id]
    mine = specialist.get("/api/v1/assignments?box=process").json()["results"]
    assert [(a["id"], a["task"], a["task_title"], a["document"]) for a in mine] == [
        (lead_id, task_id, "Chuẩn bị báo cáo tổng kết năm", None)]
    assert specialist.post(f"/api/v1/assignments/{lead_id}/progress", {"progress": 50}, format="json").status_code == 200
    r = specialist.post(f"/api/v1/assignments/{lead_id}/extension-requests",
                        {"new_deadline": in_days(9).isoformat(), "reason": "Chờ số liệu quý IV"}, format="json")
    assert r.status_code == 201, r.json()
    r = leader.post(f"/api/v1/extension-requests/{r.json()['id']}/decision", {"approve": True}, format="json")
    assert r.status_code == 200, r.json()
    r = specialist.post(f"/api/v1/assignments/{lead_id}/complete", {"result": "Đã gửi báo cáo"}, format="json")
    assert r.status_code == 200, r.json()
    detail = leader.get(f"/api/v1/tasks/{task_id}").json()
    assert detail["status"] == "completed"
    assert {"created", "progress", "extension_approved", "completed"} <= {s["kind"] for s in detail["steps"]}
    assert api_client(flow.outsider).get(f"/api/v1/tasks/{task_id}").status_code == 404
    assert Task.objects.get().status == "completed"


def test_a_specialist_cannot_give_tasks_by_api(flow: Flow, api_client: Any) -> None:
    r = api_client(flow.world.specialist).post("/api/v1/tasks", {
        "title": "Việc", "assignees": [{"role": "lead", "user": flow.outsider.pk, "deadline": in_days(3).isoformat()}],
    }, format="json")
    assert r.status_code == 403
    assert not Task.objects.exists()


def test_overdue_flag_in_the_api(flow: Flow, api_client: Any) -> None:
    lead = flow.direct(days=1)[0]
    client = api_client(flow.world.leader)
    assert client.get(f"/api/v1/assignments/{lead.pk}").json()["is_overdue"] is False
    with freeze_time(dt.datetime.now() + dt.timedelta(days=3)):
        assert client.get(f"/api/v1/assignments/{lead.pk}").json()["is_overdue"] is True
