"""Present, direct, re-assign, process: the rules of issue 3, as examples."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.core.errors import NotFound, PermissionDenied
from vanban.documents.tests.docs_world import pdf_bytes
from vanban.incoming.models import IncomingDocument, IncomingEvent
from vanban.incoming.selectors import get_incoming_for, incoming_visible_to
from vanban.organisation import services as org
from vanban.workflow import selectors, services
from vanban.workflow.errors import WorkflowError, WrongState
from vanban.workflow.models import Assignment, ExtensionRequest, Presentation, Step
from vanban.workflow.services import AssigneeSpec
from vanban.workflow.tests.conftest import Flow, in_days

pytestmark = pytest.mark.django_db


def kinds(doc: IncomingDocument) -> list[str]:
    return list(doc.events.values_list("kind", flat=True))


# --- present --------------------------------------------------------------------------


def test_clerk_presents_to_a_leader_who_then_sees_it_in_the_queue(flow: Flow) -> None:
    pres = flow.present(proposal="Đề nghị Bộ trưởng giao Cục XNK")
    flow.doc.refresh_from_db()
    assert flow.doc.status == IncomingDocument.Status.PRESENTED
    assert list(selectors.presentations_to_direct(flow.leader)) == [pres]
    assert selectors.presentations_to_direct(flow.leader2).count() == 0
    assert Step.objects.get(document=flow.doc).kind == Step.Kind.PRESENTED
    assert AuditEvent.objects.filter(action="workflow.presented", target_id=str(flow.doc.pk)).exists()


def test_only_a_leader_can_be_presented_to(flow: Flow) -> None:
    with pytest.raises(WorkflowError) as err:
        flow.present(leader=flow.world.specialist)
    assert err.value.code == "not_a_leader"
    assert flow.doc.presentations.count() == 0


def test_only_a_clerk_of_the_register_presents(flow: Flow) -> None:
    with pytest.raises(PermissionDenied):
        services.present(actor=flow.world.unit_clerk, document=flow.doc, leader=flow.leader)


def test_a_document_waiting_for_a_leader_is_not_presented_twice(flow: Flow) -> None:
    flow.present()
    with pytest.raises(WrongState) as err:
        flow.present(leader=flow.leader2)
    assert err.value.code == "already_presented"


def test_clerk_sees_registered_documents_waiting_to_be_presented(flow: Flow) -> None:
    assert list(selectors.awaiting_presentation(flow.world.ministry_clerk)) == [flow.doc]
    flow.present()
    assert selectors.awaiting_presentation(flow.world.ministry_clerk).count() == 0


# --- direct ---------------------------------------------------------------------------


def test_leader_directs_with_one_lead_cooperating_and_information(flow: Flow) -> None:
    w = flow.world
    assignments = flow.direct(extra=[
        AssigneeSpec("cooperate", unit=w.other, deadline=in_days(7)),
        AssigneeSpec("info", user=flow.leader2, deadline=in_days(3)),
    ])
    lead, coop, info = assignments
    assert (lead.role, lead.assignee_unit, lead.deadline) == ("lead", w.dept, in_days(10))
    assert (coop.role, coop.assignee_unit) == ("cooperate", w.other)
    assert info.deadline is None  # "để biết" has nothing to finish by
    flow.doc.refresh_from_db()
    assert flow.doc.status == IncomingDocument.Status.IN_PROGRESS
    assert kinds(flow.doc) == ["registered", "assigned"]
    assert IncomingEvent.EDXML_STATUS["assigned"] == "04"
    assert flow.doc.presentations.get().status == Presentation.Status.DIRECTED
    direction = lead.direction
    assert (direction.author, direction.text) == (flow.leader, "Giao Cục XNK chủ trì, báo cáo Bộ.")
    event = AuditEvent.objects.get(action="workflow.directed")
    assert [a["role"] for a in event.data["assignments"]] == ["lead", "cooperate", "info"]


@pytest.mark.parametrize(
    ("specs", "code"),
    [
        ([], "assignees_required"),
        ([("cooperate", "other", 5)], "lead_required"),
        ([("lead", "dept", 5), ("lead", "other", 5)], "multiple_leads"),
        ([("lead", "dept", 5), ("cooperate", "dept", 5)], "duplicate_assignee"),
        ([("lead", "dept", -1)], "deadline_in_past"),
        ([("boss", "dept", 5)], "invalid_role"),
    ],
)
def test_a_direction_is_refused_whole_when_a_line_is_wrong(flow: Flow, specs: list[Any], code: str) -> None:
    pres = flow.present()
    units = {"dept": flow.world.dept, "other": flow.world.other}
    lines = [AssigneeSpec(role, unit=units[u], deadline=in_days(d) if d is not None else None) for role, u, d in specs]
    with pytest.raises(WorkflowError) as err:
        services.direct(actor=flow.leader, presentation=pres, text="Giao xử lý", assignees=lines)
    assert err.value.code == code
    assert Assignment.objects.count() == 0
    pres.refresh_from_db()
    assert pres.status == Presentation.Status.PENDING


def test_a_direction_needs_its_text(flow: Flow) -> None:
    pres = flow.present()
    with pytest.raises(WorkflowError) as err:
        services.direct(actor=flow.leader, presentation=pres, text="  ",
                        assignees=[AssigneeSpec("lead", unit=flow.world.dept, deadline=in_days(3))])
    assert (err.value.code, err.value.field) == ("required", "text")


def test_only_the_leader_presented_to_directs(flow: Flow) -> None:
    pres = flow.present()
    with pytest.raises(NotFound):
        services.direct(actor=flow.leader2, presentation=pres, text="Giao",
                        assignees=[AssigneeSpec("lead", unit=flow.world.dept, deadline=in_days(3))])


def test_leader_forwards_to_another_leader_who_directs(flow: Flow) -> None:
    pres = flow.present()
    new = services.forward(actor=flow.leader, presentation=pres, leader=flow.leader2, note="Đề nghị Thứ trưởng xử lý")
    pres.refresh_from_db()
    assert pres.status == Presentation.Status.FORWARDED
    assert list(selectors.presentations_to_direct(flow.leader2)) == [new]
    with pytest.raises(WrongState) as err:
        services.direct(actor=flow.leader, presentation=pres, text="Giao",
                        assignees=[AssigneeSpec("lead", unit=flow.world.dept, deadline=in_days(3))])
    assert err.value.code == "presentation_closed"
    services.direct(actor=flow.leader2, presentation=new, text="Cục XNK chủ trì",
                    assignees=[AssigneeSpec("lead", unit=flow.world.dept, deadline=in_days(3))])
    assert [s.kind for s in selectors.timeline(flow.doc)] == ["presented", "forwarded", "directed", "assigned"]


def test_a_delegate_directs_on_behalf_of_the_leader(flow: Flow, make_user: Any) -> None:
    deputy = make_user("cvp", roles=[], unit=flow.world.other, full_name="Chánh Văn phòng")
    today = timezone.localdate()
    org.create_delegation(actor=flow.leader, principal=flow.leader, delegate=deputy, start_date=today, end_date=today)
    pres = flow.present()
    assert list(selectors.presentations_to_direct(deputy)) == [pres]
    direction = services.direct(actor=deputy, presentation=pres, text="Cục XNK chủ trì",
                                assignees=[AssigneeSpec("lead", unit=flow.world.dept, deadline=in_days(3))])
    assert (direction.author, direction.on_behalf_of) == (deputy, flow.leader)
    assert AuditEvent.objects.get(action="workflow.directed").on_behalf_of_id == flow.leader.pk


# --- re-assign within the unit ----------------------------------------------------------


def test_unit_leader_reassigns_down_to_a_department_and_a_specialist(flow: Flow) -> None:
    w = flow.world
    (lead,) = flow.direct()
    assert list(selectors.assignments_in_box(w.leader, "process")) == [lead]
    direction = services.reassign(actor=w.leader, assignment=lead, text="Phòng QLXK chủ trì, đồng chí Khoa thực hiện",
                                  assignees=[AssigneeSpec("lead", unit=w.team, deadline=in_days(8)),
                                             AssigneeSpec("cooperate", user=w.specialist, deadline=in_days(6))])
    team_lead, spec_coop = direction.assignments.order_by("pk")
    assert team_lead.parent == lead and spec_coop.parent == lead
    lead.refresh_from_db()
    assert lead.status == Assignment.Status.IN_PROGRESS
    assert kinds(flow.doc) == ["registered", "assigned", "in_progress"]
    assert list(selectors.assignments_in_box(flow.team_leader, "process")) == [team_lead]
    assert list(selectors.assignments_in_box(w.specialist, "cooperate")) == [spec_coop]
    assert [a.depth for a in selectors.assignment_tree(flow.doc)] == [0, 1, 1]


@pytest.mark.parametrize(
    ("target", "days", "code"),
    [("other", 5, "outside_unit"), ("outsider", 5, "outside_unit"), ("team", 30, "deadline_after_parent")],
)
def test_reassignment_stays_inside_the_unit_and_its_deadline(flow: Flow, target: str, days: int, code: str) -> None:
    (lead,) = flow.direct(days=10)
    w = flow.world
    spec = {"other": AssigneeSpec("lead", unit=w.other, deadline=in_days(days)),
            "outsider": AssigneeSpec("lead", user=flow.outsider, deadline=in_days(days)),
            "team": AssigneeSpec("lead", unit=w.team, deadline=in_days(days))}[target]
    with pytest.raises(WorkflowError) as err:
        services.reassign(actor=w.leader, assignment=lead, text="Giao", assignees=[spec])
    assert err.value.code == code
    assert lead.children.count() == 0


def test_a_second_lead_inside_the_unit_is_refused(flow: Flow) -> None:
    (lead,) = flow.direct()
    w = flow.world
    services.reassign(actor=w.leader, assignment=lead, text="Giao phòng",
                      assignees=[AssigneeSpec("lead", unit=w.team, deadline=in_days(5))])
    with pytest.raises(WorkflowError) as err:
        services.reassign(actor=w.leader, assignment=lead, text="Giao thêm",
                          assignees=[AssigneeSpec("lead", user=w.specialist, deadline=in_days(5))])
    assert err.value.code == "multiple_leads"


def test_only_a_leader_of_the_assigned_unit_reassigns(flow: Flow) -> None:
    (lead,) = flow.direct()
    for actor in (flow.world.specialist, flow.pc_leader, flow.world.unit_clerk):
        with pytest.raises(PermissionDenied):
            services.reassign(actor=actor, assignment=lead, text="Giao",
                              assignees=[AssigneeSpec("lead", unit=flow.world.team, deadline=in_days(5))])


def test_a_completed_assignment_cannot_be_reassigned(flow: Flow) -> None:
    (lead,) = flow.direct()
    services.complete(actor=flow.world.leader, assignment=lead, result="Đã báo cáo Bộ")
    with pytest.raises(WrongState) as err:
        services.reassign(actor=flow.world.leader, assignment=lead, text="Giao",
                          assignees=[AssigneeSpec("lead", unit=flow.world.team, deadline=in_days(5))])
    assert (err.value.code, err.value.status) == ("assignment_completed", 409)


# --- processing -------------------------------------------------------------------------


def _to_specialist(flow: Flow) -> tuple[Assignment, Assignment]:
    (lead,) = flow.direct()
    direction = services.reassign(actor=flow.world.leader, assignment=lead, text="Đồng chí Khoa xử lý",
                                  assignees=[AssigneeSpec("lead", user=flow.world.specialist, deadline=in_days(7))])
    return lead, direction.assignments.get()


def test_specialist_works_the_assignment_to_completion_and_the_unit_closes_it(flow: Flow, isolated_storage: Any) -> None:
    lead, mine = _to_specialist(flow)
    spec = flow.world.specialist
    services.add_note(actor=spec, assignment=mine, text="Đã liên hệ Sở Công Thương",
                      files=[("du-thao-bao-cao.pdf", pdf_bytes(marker="draft"))])
    services.report_progress(actor=spec, assignment=mine, progress=60, text="Đã có số liệu 2 quý")
    mine.refresh_from_db()
    assert (mine.status, mine.progress) == (Assignment.Status.IN_PROGRESS, 60)
    services.complete(actor=spec, assignment=mine, result="Đã dự thảo báo cáo gửi Bộ",
                      files=[("bao-cao.pdf", pdf_bytes(marker="final"))])
    mine.refresh_from_db()
    assert (mine.status, mine.progress, mine.result) == (Assignment.Status.COMPLETED, 100, "Đã dự thảo báo cáo gửi Bộ")
    flow.doc.refresh_from_db()
    assert flow.doc.status == IncomingDocument.Status.IN_PROGRESS  # the unit has not answered yet
    services.complete(actor=flow.world.leader, assignment=lead, result="Cục XNK đã báo cáo Bộ")
    flow.doc.refresh_from_db()
    assert flow.doc.status == IncomingDocument.Status.COMPLETED
    assert kinds(flow.doc) == ["registered", "assigned", "in_progress", "completed"]
    files = [s.file_name for s in selectors.timeline(flow.doc) if s.file_id]
    assert files == ["du-thao-bao-cao.pdf", "bao-cao.pdf"]
    steps = [s.kind for s in selectors.assignment_timeline(lead)]
    assert steps[:4] == ["assigned", "started", "directed", "reassigned"]
    assert steps[-1] == "completed"


def test_the_unit_cannot_close_while_its_lead_is_still_working(flow: Flow) -> None:
    lead, _ = _to_specialist(flow)
    with pytest.raises(WrongState) as err:
        services.complete(actor=flow.world.leader, assignment=lead, result="Xong")
    assert err.value.code == "open_children"


def test_others_cannot_work_someone_elses_assignment(flow: Flow) -> None:
    _, mine = _to_specialist(flow)
    for actor in (flow.outsider, flow.pc_leader, flow.world.unit_clerk):
        with pytest.raises(PermissionDenied):
            services.report_progress(actor=actor, assignment=mine, progress=10)
        with pytest.raises(PermissionDenied):
            services.complete(actor=actor, assignment=mine, result="Xong")


@pytest.mark.parametrize("value", [-1, 101, "mười"])
def test_progress_is_a_percentage(flow: Flow, value: Any) -> None:
    _, mine = _to_specialist(flow)
    with pytest.raises(WorkflowError) as err:
        services.report_progress(actor=flow.world.specialist, assignment=mine, progress=value)
    assert err.value.code == "invalid_progress"


def test_completion_needs_a_result(flow: Flow) -> None:
    _, mine = _to_specialist(flow)
    with pytest.raises(WorkflowError) as err:
        services.complete(actor=flow.world.specialist, assignment=mine, result="")
    assert err.value.code == "required"


def test_a_bad_file_stores_nothing(flow: Flow, isolated_storage: Any) -> None:
    _, mine = _to_specialist(flow)
    before = Step.objects.count()
    with pytest.raises(Exception) as err:
        services.add_note(actor=flow.world.specialist, assignment=mine, text="Kèm tệp",
                          files=[("bao-cao.pdf", b"")])
    assert getattr(err.value, "code", "") == "empty_file"
    assert Step.objects.count() == before


def test_extension_is_approved_by_the_assigner(flow: Flow) -> None:
    _, mine = _to_specialist(flow)
    request = services.request_extension(actor=flow.world.specialist, assignment=mine, new_deadline=in_days(20),
                                         reason="Chờ số liệu của Tổng cục Hải quan")
    assert list(selectors.extensions_to_decide(flow.world.leader)) == [request]
    with pytest.raises(WrongState):
        services.request_extension(actor=flow.world.specialist, assignment=mine, new_deadline=in_days(21), reason="Lại")
    with pytest.raises(PermissionDenied):
        services.decide_extension(actor=flow.world.specialist, request=request, approve=True)
    services.decide_extension(actor=flow.world.leader, request=request, approve=True, note="Đồng ý")
    mine.refresh_from_db()
    assert mine.deadline == in_days(20)
    request.refresh_from_db()
    assert request.status == ExtensionRequest.Status.APPROVED
    with pytest.raises(WrongState):
        services.decide_extension(actor=flow.world.leader, request=request, approve=False)


def test_a_refused_extension_keeps_the_deadline(flow: Flow) -> None:
    _, mine = _to_specialist(flow)
    request = services.request_extension(actor=flow.world.specialist, assignment=mine, new_deadline=in_days(9),
                                         reason="Bận")
    services.decide_extension(actor=flow.world.leader, request=request, approve=False, note="Cần đúng hạn")
    mine.refresh_from_db()
    assert mine.deadline == in_days(7)
    assert Step.objects.filter(kind=Step.Kind.EXTENSION_REFUSED, assignment=mine).exists()


def test_an_extension_must_move_the_deadline_later(flow: Flow) -> None:
    _, mine = _to_specialist(flow)
    with pytest.raises(WorkflowError) as err:
        services.request_extension(actor=flow.world.specialist, assignment=mine, new_deadline=in_days(7), reason="x")
    assert err.value.code == "deadline_not_later"


def test_returning_the_lead_puts_the_document_back_to_the_leader(flow: Flow) -> None:
    (lead,) = flow.direct()
    with pytest.raises(WorkflowError):
        services.return_assignment(actor=flow.world.leader, assignment=lead, reason="")
    services.return_assignment(actor=flow.world.leader, assignment=lead,
                               reason="Không thuộc chức năng của Cục; đề nghị giao Vụ Pháp chế")
    lead.refresh_from_db()
    assert lead.status == Assignment.Status.RETURNED
    flow.doc.refresh_from_db()
    assert flow.doc.status == IncomingDocument.Status.PRESENTED
    (pres,) = selectors.presentations_to_direct(flow.leader)
    direction = services.direct(actor=flow.leader, presentation=pres, text="Vụ Pháp chế chủ trì",
                                assignees=[AssigneeSpec("lead", unit=flow.world.other, deadline=in_days(5))])
    assert direction.assignments.get().assignee_unit == flow.world.other
    with pytest.raises(WrongState) as err:
        services.report_progress(actor=flow.world.leader, assignment=lead, progress=10)
    assert err.value.code == "assignment_returned"


def test_cooperating_unit_posts_its_contribution_to_the_lead(flow: Flow) -> None:
    _, coop = flow.direct(extra=[AssigneeSpec("cooperate", unit=flow.world.other, deadline=in_days(5))])
    services.contribute(actor=flow.pc_leader, assignment=coop, text="Vụ Pháp chế thống nhất với dự thảo")
    services.complete(actor=flow.pc_leader, assignment=coop, result="Đã góp ý")
    contributions = [s.text for s in selectors.timeline(flow.doc) if s.kind == Step.Kind.CONTRIBUTION]
    assert contributions == ["Vụ Pháp chế thống nhất với dự thảo"]
    # the lead unit's leader sees the contribution on the document
    assert get_incoming_for(flow.world.leader, flow.doc.pk) == flow.doc


def test_information_recipients_read_only_and_their_reading_is_recorded(flow: Flow) -> None:
    _, info = flow.direct(extra=[AssigneeSpec("info", user=flow.outsider)])
    assert get_incoming_for(flow.outsider, flow.doc.pk) == flow.doc
    with pytest.raises(WorkflowError) as err:
        services.complete(actor=flow.outsider, assignment=info, result="Đã biết")
    assert err.value.code == "info_only"
    assert services.record_reading(actor=flow.outsider, document=flow.doc) == 1
    info.refresh_from_db()
    assert info.status == Assignment.Status.READ and info.read_at is not None
    assert services.record_reading(actor=flow.outsider, document=flow.doc) == 0  # read once


def test_overdue_assignments_are_flagged_and_filtered(flow: Flow) -> None:
    (lead,) = flow.direct()
    Assignment.objects.filter(pk=lead.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    lead.refresh_from_db()
    assert lead.is_overdue
    overdue = selectors.assignments_in_box(flow.world.leader, "process", selectors.Filters(status="overdue"))
    assert list(overdue) == [lead]
    assert selectors.counts(flow.world.leader)["overdue"] == 1


# --- access ---------------------------------------------------------------------------


def test_people_see_a_document_only_through_their_part_in_it(flow: Flow) -> None:
    w = flow.world
    visible = lambda user: incoming_visible_to(user).filter(pk=flow.doc.pk).exists()  # noqa: E731
    assert not visible(w.leader) and not visible(w.specialist) and not visible(w.unit_clerk)
    flow.direct()
    assert visible(w.leader) and visible(w.unit_clerk)  # the unit's leader and clerk
    assert not visible(w.specialist) and not visible(flow.outsider) and not visible(flow.pc_leader)
    lead = flow.doc.assignments.get()
    services.reassign(actor=w.leader, assignment=lead, text="Giao",
                      assignees=[AssigneeSpec("lead", user=w.specialist, deadline=in_days(5))])
    assert visible(w.specialist)
    assert visible(flow.team_leader) is False
    assert not visible(w.sysadmin)
    with pytest.raises(NotFound):
        selectors.get_assignment_for(flow.outsider, lead.pk)


def test_a_unit_register_goes_to_the_units_leader_who_assigns_inside_the_unit(flow: Flow, register_doc: Any) -> None:
    w = flow.world
    doc = register_doc(w.unit_clerk, code_number="77")
    assert doc.register.unit == w.dept
    leaders = selectors.leaders_for(doc)
    assert w.leader in leaders and flow.pc_leader not in leaders
    with pytest.raises(WorkflowError):
        services.present(actor=w.unit_clerk, document=doc, leader=flow.pc_leader)
    pres = services.present(actor=w.unit_clerk, document=doc, leader=w.leader)
    with pytest.raises(WorkflowError) as err:
        services.direct(actor=w.leader, presentation=pres, text="Vụ Pháp chế xử lý",
                        assignees=[AssigneeSpec("lead", unit=w.other, deadline=in_days(3))])
    assert err.value.code == "outside_unit"
    services.direct(actor=w.leader, presentation=pres, text="Phòng QLXK xử lý",
                    assignees=[AssigneeSpec("lead", unit=w.team, deadline=in_days(3))])
    assert list(selectors.assignments_in_box(flow.team_leader, "process").values_list("document", flat=True)) == [doc.pk]
    assert list(selectors.assignments_in_box(w.unit_clerk, "unit").values_list("document", flat=True)) == [doc.pk]
