"""Pages for đôn đốc, direct tasks and the deadline warning."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from freezegun import freeze_time

from vanban.notifications.models import Notification
from vanban.workflow.models import Step, Task
from vanban.workflow.tests.conftest import Flow, in_days
from vanban.workflow.tests.test_web import _rows

pytestmark = pytest.mark.django_db


def test_the_assigner_urges_from_the_assignment_page(flow: Flow, web_client: Any) -> None:
    lead = flow.direct()[0]
    leader = web_client(flow.leader)
    page = leader.get(reverse("web:assignment", args=[lead.pk])).content.decode()
    assert 'data-testid="urge"' in page
    response = leader.post(reverse("web:assignment", args=[lead.pk]),
                           {"action": "urge", "urge-message": "Đề nghị báo cáo trước thứ Sáu."})
    assert response.status_code == 302
    assert Step.objects.get(kind=Step.Kind.URGED).text == "Đề nghị báo cáo trước thứ Sáu."
    assert Notification.objects.filter(kind="assignment.urged", recipient=flow.world.leader).exists()
    # The handler sees the urge in the timeline but has no urge button.
    handler_page = web_client(flow.world.leader).get(reverse("web:assignment", args=[lead.pk])).content.decode()
    assert 'data-step="urged"' in handler_page and 'data-testid="urge"' not in handler_page
    response = web_client(flow.world.leader).post(reverse("web:assignment", args=[lead.pk]),
                                                  {"action": "urge", "urge-message": ""})
    assert response.status_code == 403


def test_a_direction_on_a_holiday_shows_a_warning(flow: Flow, web_client: Any) -> None:
    with freeze_time("2026-02-09 09:00:00+07:00"):
        pres = flow.present()
        leader = web_client(flow.leader)
        response = leader.post(reverse("web:direct", args=[pres.pk]), {
            "direct": "1", "text": "Giao Cục XNK chủ trì.", **_rows(("lead", f"u:{flow.world.dept.pk}", None),
                                                                    ("cooperate", f"u:{flow.world.other.pk}",
                                                                     dt.date(2026, 2, 17))),
        }, follow=True)
    page = response.content.decode()
    assert "Hạn xử lý 17/02/2026 rơi vào ngày nghỉ Tết Nguyên đán." in page
    assert flow.doc.assignments.get(role="lead").deadline.isoformat() == "2026-03-02"


def test_a_leader_gives_a_task_and_the_specialist_works_it(flow: Flow, web_client: Any) -> None:
    w = flow.world
    leader = web_client(flow.leader)
    assert leader.get(reverse("web:task_new")).status_code == 200
    response = leader.post(reverse("web:task_new"), {
        "title": "Chuẩn bị hội nghị tổng kết", "content": "Dự thảo báo cáo, chương trình.",
        **_rows(("lead", f"p:{w.specialist.pk}", in_days(5)), ("info", f"u:{w.other.pk}", None)),
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    task = Task.objects.get()
    detail = leader.get(reverse("web:task", args=[task.pk])).content.decode()
    assert "Chuẩn bị hội nghị tổng kết" in detail and 'data-testid="task-assignments"' in detail
    specialist = web_client(w.specialist)
    box = specialist.get(reverse("web:box", args=["process"])).content.decode()
    assert "Chuẩn bị hội nghị tổng kết" in box and "Giao việc" in box
    lead = task.assignments.get(role="lead")
    page = specialist.get(reverse("web:assignment", args=[lead.pk])).content.decode()
    assert 'data-testid="task-link"' in page and 'data-testid="draft-reply"' not in page
    response = specialist.post(reverse("web:assignment", args=[lead.pk]),
                               {"action": "complete", "complete-result": "Đã gửi dự thảo."})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED


def test_specialists_cannot_open_the_task_form(flow: Flow, web_client: Any) -> None:
    assert web_client(flow.world.specialist).get(reverse("web:task_new")).status_code == 403
    assert web_client(flow.outsider).get(reverse("web:task", args=[999])).status_code == 404


def test_a_unit_leader_passes_a_task_down_the_unit(flow: Flow, web_client: Any) -> None:
    from vanban.workflow import services
    from vanban.workflow.services import AssigneeSpec

    w = flow.world
    task = services.create_task(actor=flow.leader, title="Rà soát biểu thuế", assignees=[
        AssigneeSpec("lead", unit=w.dept, deadline=in_days(10))])
    lead = task.assignments.get()
    director = web_client(w.leader)
    page = director.get(reverse("web:reassign", args=[lead.pk]))
    assert page.status_code == 200 and "Rà soát biểu thuế" in page.content.decode()
    response = director.post(reverse("web:reassign", args=[lead.pk]), {
        "text": "Giao chuyên viên rà soát.", **_rows(("lead", f"p:{w.specialist.pk}", in_days(7)))})
    assert response.status_code == 302, response.content.decode()[:2000]
    child = lead.children.get()
    assert (child.task, child.assignee_user) == (task, w.specialist)
