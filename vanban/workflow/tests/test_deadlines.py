"""Deadlines and follow-up: default deadlines, reminders, overdue notices, escalation,
đôn đốc, with the clock under the test's control (Monday 9/2/2026, a week before Tết)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from freezegun import freeze_time

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.notifications.models import Notification
from vanban.workflow import services
from vanban.workflow.errors import WrongState
from vanban.workflow.followup import run_followup
from vanban.workflow.models import Assignment, Step
from vanban.workflow.services import AssigneeSpec
from vanban.workflow.tests.conftest import Flow

D = dt.date
DEADLINE = D(2026, 2, 24)  # Tuesday after Tết Bính Ngọ (16–20/2)


@pytest.fixture(autouse=True)
def before_tet() -> Iterator[None]:
    with freeze_time("2026-02-09 09:00:00+07:00"):
        yield


def _lead(flow: Flow, deadline: dt.date | None = DEADLINE) -> Assignment:
    pres = flow.present()
    direction = services.direct(actor=flow.leader, presentation=pres, text="Giao Cục XNK chủ trì.",
                                assignees=[AssigneeSpec("lead", unit=flow.world.dept, deadline=deadline)])
    return direction.assignments.get()


FOLLOW_UP = ("assignment.reminder", "assignment.overdue", "assignment.escalated")


def _kinds(user: Any) -> list[str]:
    """The follow-up notices a person got (being assigned the work is told separately)."""
    rows = Notification.objects.filter(recipient=user, kind__in=FOLLOW_UP).order_by("pk")
    return list(rows.values_list("kind", flat=True))


def test_directing_without_a_deadline_takes_the_rule_for_the_document(flow: Flow) -> None:
    lead = _lead(flow, deadline=None)
    # A normal document: 10 working days from Monday 9/2, Tết week skipped.
    assert lead.deadline == D(2026, 3, 2)
    assert "hạn 02/03/2026" in lead.steps.get(kind=Step.Kind.ASSIGNED).text


def test_an_urgent_document_gets_a_shorter_default(flow: Flow, register_doc: Any) -> None:
    doc = register_doc(flow.world.ministry_clerk, urgency="hoa_toc", code_number="99")
    pres = services.present(actor=flow.world.ministry_clerk, document=doc, leader=flow.leader)
    direction = services.direct(actor=flow.leader, presentation=pres, text="Xử lý ngay.",
                                assignees=[AssigneeSpec("lead", unit=flow.world.dept)])
    assert direction.assignments.get().deadline == D(2026, 2, 10)


def test_a_deadline_on_a_holiday_is_accepted_with_a_warning(flow: Flow) -> None:
    lead = _lead(flow, deadline=D(2026, 2, 17))
    assert lead.deadline == D(2026, 2, 17)
    assert services.deadline_warnings([lead]) == ["Hạn xử lý 17/02/2026 rơi vào ngày nghỉ Tết Nguyên đán."]


def test_reminders_start_two_working_days_before_the_deadline_across_tet(flow: Flow) -> None:
    _lead(flow)
    handler = flow.world.leader  # Cục trưởng Cục XNK works the unit's assignment
    assert run_followup(today=D(2026, 2, 12)).reminders == 0  # three working days left
    assert run_followup(today=D(2026, 2, 13)).reminders == 1  # Friday: 23/2 and 24/2 left
    assert run_followup(today=D(2026, 2, 17)).reminders == 0  # Tết: nobody is reminded on a holiday
    assert run_followup(today=D(2026, 2, 23)).reminders == 1
    assert run_followup(today=D(2026, 2, 24)).reminders == 1  # due today
    assert _kinds(handler) == ["assignment.reminder"] * 3
    first = Notification.objects.filter(recipient=handler, kind__in=FOLLOW_UP).order_by("pk").first()
    assert first.url == f"/giao-viec/{Assignment.objects.get().pk}/"
    assert "24/02/2026" in first.body


def test_a_reminder_is_sent_once_per_assignment_and_day(flow: Flow) -> None:
    _lead(flow)
    run_followup(today=D(2026, 2, 23))
    again = run_followup(today=D(2026, 2, 23))
    assert again.reminders == 0
    assert Notification.objects.filter(kind="assignment.reminder").count() == 1


def test_overdue_on_the_first_day_then_escalation_after_two_working_days(flow: Flow) -> None:
    _lead(flow)
    handler = flow.world.leader
    day1 = run_followup(today=D(2026, 2, 25))
    assert (day1.overdue, day1.escalations) == (1, 0)
    day2 = run_followup(today=D(2026, 2, 26))
    assert day2.overdue == 0  # told once per deadline
    assert day2.escalations == 2  # the assigner and the unit's leader
    escalated = Notification.objects.filter(kind="assignment.escalated")
    assert {n.recipient for n in escalated} == {flow.leader, handler}
    assert "Cục Xuất nhập khẩu chưa hoàn thành" in escalated.first().body
    assert run_followup(today=D(2026, 3, 5)).escalations == 0


def test_an_approved_extension_starts_the_follow_up_afresh(flow: Flow) -> None:
    lead = _lead(flow)
    run_followup(today=D(2026, 2, 23))
    req = services.request_extension(actor=flow.world.leader, assignment=lead, new_deadline=D(2026, 3, 10),
                                      reason="Chờ số liệu")
    services.decide_extension(actor=flow.leader, request=req, approve=True)
    assert run_followup(today=D(2026, 2, 25)).overdue == 0
    assert run_followup(today=D(2026, 3, 11)).overdue == 1


def test_no_reminder_nor_overdue_notice_for_closed_assignments(flow: Flow) -> None:
    lead = _lead(flow)
    services.complete(actor=flow.world.leader, assignment=lead, result="Đã báo cáo Bộ.")
    for day in (D(2026, 2, 23), D(2026, 2, 24), D(2026, 3, 5)):
        result = run_followup(today=day)
        assert (result.checked, result.reminders, result.overdue, result.escalations) == (0, 0, 0, 0)
    assert not Notification.objects.filter(kind__in=FOLLOW_UP).exists()


def test_the_command_runs_the_follow_up_once(flow: Flow) -> None:
    from io import StringIO

    from django.core.management import call_command

    _lead(flow)
    out = StringIO()
    call_command("deadlines", "run", "--date", "2026-02-25", stdout=out)
    assert '"overdue": 1' in out.getvalue()


# --- đôn đốc -----------------------------------------------------------------------------


def test_the_assigner_urges_and_the_handler_is_notified(flow: Flow) -> None:
    lead = _lead(flow)
    step = services.urge(actor=flow.leader, assignment=lead, message="Đề nghị khẩn trương báo cáo.")
    assert (step.kind, step.assignment, step.document) == (Step.Kind.URGED, lead, flow.doc)
    event = AuditEvent.objects.get(action="workflow.urged")
    assert event.data["assignment"] == lead.pk
    note = Notification.objects.get(kind="assignment.urged")
    assert note.recipient == flow.world.leader
    assert note.body.startswith("Đề nghị khẩn trương báo cáo.")


def test_a_clerk_of_the_unit_may_urge_an_outsider_may_not(flow: Flow) -> None:
    lead = _lead(flow)
    services.urge(actor=flow.world.unit_clerk, assignment=lead)
    with pytest.raises(PermissionDenied):
        services.urge(actor=flow.outsider, assignment=lead)
    with pytest.raises(PermissionDenied):
        services.urge(actor=flow.pc_leader, assignment=lead)  # leads another unit
    assert Step.objects.filter(kind=Step.Kind.URGED).count() == 1


def test_a_completed_assignment_cannot_be_urged(flow: Flow) -> None:
    lead = _lead(flow)
    services.complete(actor=flow.world.leader, assignment=lead, result="Xong")
    with pytest.raises(WrongState):
        services.urge(actor=flow.leader, assignment=lead)
    assert not Notification.objects.filter(kind="assignment.urged").exists()


def test_the_worker_hook_runs_the_follow_up_for_today(flow: Flow) -> None:
    from vanban.jobs.periodic import all_hooks, run_once

    hooks = tuple(h for h in all_hooks() if h.path == "vanban.workflow.followup:periodic_run")
    assert len(hooks) == 1
    _lead(flow)
    with freeze_time("2026-02-25 08:00:00+07:00"):
        run_once(hooks)
        run_once(hooks)
    assert Notification.objects.filter(kind="assignment.overdue").count() == 1
