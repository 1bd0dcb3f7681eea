"""Giao việc trực tiếp: a leader's task without a document goes through the same
assignment flow (progress, extension, completion) and shows in "Việc của tôi"."""

from __future__ import annotations

import io
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import NotFound, PermissionDenied
from vanban.documents.tests.docs_world import pdf_bytes
from vanban.notifications.models import Notification
from vanban.workcalendar.calendar import add_working_days
from vanban.workflow import selectors, services
from vanban.workflow.errors import WorkflowError
from vanban.workflow.models import Assignment, Step, Task
from vanban.workflow.services import AssigneeSpec
from vanban.workflow.tests.conftest import Flow, in_days


def _task(flow: Flow, **kw: Any) -> Task:
    w = flow.world
    return services.create_task(
        actor=flow.leader,
        title="Rà soát quy chế làm việc",
        content="Rà soát, đề xuất sửa đổi quy chế làm việc của Bộ.",
        assignees=[
            AssigneeSpec("lead", user=w.specialist, deadline=kw.get("deadline", in_days(7))),
            AssigneeSpec("cooperate", unit=w.other, deadline=in_days(5)),
            AssigneeSpec("info", user=w.unit_clerk),
        ],
        files=kw.get("files"),
    )


def test_a_leader_gives_a_task_with_lead_cooperating_and_informed(flow: Flow, isolated_storage: Any) -> None:
    task = _task(flow, files=[("ke-hoach.pdf", io.BytesIO(pdf_bytes(marker="Ke hoach")))])
    lead, coop, info = task.assignments.order_by("pk")
    assert (lead.role, lead.assignee_user, lead.document) == ("lead", flow.world.specialist, None)
    assert (coop.role, coop.assignee_unit) == ("cooperate", flow.world.other)
    assert info.deadline is None
    kinds = list(task.steps.values_list("kind", flat=True))
    assert kinds[:2] == [Step.Kind.CREATED, Step.Kind.FILE] and kinds.count(Step.Kind.ASSIGNED) == 3
    assert AuditEvent.objects.get(action="workflow.task_created").target_id == str(task.pk)
    assert Notification.objects.filter(kind="assignment.assigned", recipient=flow.world.specialist).count() == 1


def test_the_task_is_in_the_handlers_boxes_and_hidden_from_others(flow: Flow) -> None:
    task = _task(flow)
    assert [a.task for a in selectors.assignments_in_box(flow.world.specialist, "process")] == [task]
    assert [a.task for a in selectors.assignments_in_box(flow.pc_leader, "cooperate")] == [task]
    assert [a.task for a in selectors.assignments_in_box(flow.leader, "followup")] == [task, task]
    assert selectors.counts(flow.world.specialist)["process"] == 1
    lead = task.assignments.get(role="lead")
    with pytest.raises(NotFound):
        selectors.get_assignment_for(flow.team_leader, lead.pk)
    with pytest.raises(NotFound):
        selectors.get_task_for(flow.team_leader, task.pk)
    assert selectors.get_task_for(flow.world.unit_clerk, task.pk) == task


def test_direct_task_full_flow_progress_extension_completion(flow: Flow) -> None:
    task = _task(flow)
    w = flow.world
    lead = task.assignments.get(role="lead")
    services.report_progress(actor=w.specialist, assignment=lead, progress=40, text="Đã rà soát chương I")
    req = services.request_extension(actor=w.specialist, assignment=lead, new_deadline=in_days(14),
                                      reason="Chờ ý kiến các vụ")
    services.decide_extension(actor=flow.leader, request=req, approve=True)
    lead.refresh_from_db()
    assert lead.deadline == in_days(14)
    services.complete(actor=w.specialist, assignment=lead, result="Đã trình dự thảo quy chế sửa đổi.")
    task.refresh_from_db()
    assert task.status == Task.Status.COMPLETED and task.completed_at is not None
    kinds = list(selectors.timeline(task).values_list("kind", flat=True))
    for kind in (Step.Kind.STARTED, Step.Kind.PROGRESS, Step.Kind.EXTENSION_REQUESTED,
                 Step.Kind.EXTENSION_APPROVED, Step.Kind.COMPLETED):  # fmt: skip
        assert kind in kinds
    assert AuditEvent.objects.filter(action="workflow.completed", target_type="workflow.task").count() == 1


def test_a_task_line_without_deadline_gets_the_normal_rule(flow: Flow) -> None:
    task = _task(flow, deadline=None)
    assert task.assignments.get(role="lead").deadline == add_working_days(in_days(0), 10)


def test_only_leaders_give_tasks(flow: Flow) -> None:
    with pytest.raises(PermissionDenied):
        services.create_task(actor=flow.world.specialist, title="Việc", assignees=[
            AssigneeSpec("lead", user=flow.outsider, deadline=in_days(3))])
    assert not Task.objects.exists()


def test_a_unit_leader_gives_tasks_inside_the_unit_only(flow: Flow) -> None:
    w = flow.world
    task = services.create_task(actor=w.leader, title="Tổng hợp số liệu", assignees=[
        AssigneeSpec("lead", user=w.specialist, deadline=in_days(3))])
    assert task.assignments.get().assignee_user == w.specialist
    with pytest.raises(WorkflowError) as err:
        services.create_task(actor=w.leader, title="Việc ngoài", assignees=[
            AssigneeSpec("lead", user=flow.outsider, deadline=in_days(3))])
    assert err.value.code == "outside_unit"


def test_a_task_needs_a_title_and_one_lead(flow: Flow) -> None:
    w = flow.world
    with pytest.raises(WorkflowError) as err:
        services.create_task(actor=flow.leader, title=" ", assignees=[
            AssigneeSpec("lead", user=w.specialist, deadline=in_days(3))])
    assert err.value.code == "required"
    with pytest.raises(WorkflowError) as err:
        services.create_task(actor=flow.leader, title="Việc", assignees=[
            AssigneeSpec("cooperate", user=w.specialist, deadline=in_days(3))])
    assert err.value.code == "lead_required"
    assert not Task.objects.exists() and not Assignment.objects.exists()


def test_urging_a_task_assignment(flow: Flow) -> None:
    task = _task(flow)
    lead = task.assignments.get(role="lead")
    step = services.urge(actor=flow.leader, assignment=lead, message="Báo cáo trước thứ Sáu")
    assert step.task == task
    assert Notification.objects.filter(kind="assignment.urged", recipient=flow.world.specialist).exists()
