"""The workflow tells people what is theirs: a leader when a document is presented to
them, the assignee (a person, or a unit's leaders and clerks) when work is assigned,
the reviewer whose turn it is on a draft. In the action's transaction: an action that
is refused notifies nobody."""

from __future__ import annotations

import pytest

from vanban.core.timeutil import format_date
from vanban.notifications.models import Notification
from vanban.workflow import services as workflow
from vanban.workflow.errors import WorkflowError
from vanban.workflow.services import AssigneeSpec
from vanban.workflow.tests.conftest import in_days


def inbox(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_presenting_and_forwarding_tell_the_leader(flow):
    pres = flow.present(proposal="Đề nghị giao Cục XNK chủ trì")
    [n] = inbox(flow.leader)
    assert n.kind == "presentation.received" and n.actor == flow.world.ministry_clerk
    assert n.title == f"Văn bản trình xin ý kiến chỉ đạo: {flow.doc.subject}"
    assert "Đề xuất: Đề nghị giao Cục XNK chủ trì" in n.body and "số 125/UBND-KT" in n.body
    assert n.url == f"/trinh/{pres.pk}/"
    assert inbox(flow.world.ministry_clerk) == []

    new = workflow.forward(actor=flow.leader, presentation=pres, leader=flow.leader2, note="Nhờ Thứ trưởng xử lý")
    [forwarded] = inbox(flow.leader2)
    assert forwarded.url == f"/trinh/{new.pk}/" and forwarded.actor == flow.leader
    assert "Đề xuất: Nhờ Thứ trưởng xử lý" in forwarded.body


def test_a_direction_tells_each_assignee_and_a_units_leaders_and_clerks(flow):
    w = flow.world
    lead, info = flow.direct(days=10, extra=[AssigneeSpec("info", user=flow.outsider)])
    for person in (w.leader, w.unit_clerk):  # Cục XNK's leader and clerk
        [n] = inbox(person)
        assert n.kind == "assignment.assigned" and n.actor == flow.leader
        assert n.title == f"Được giao chủ trì xử lý – Cục Xuất nhập khẩu: {flow.doc.subject}"
        assert f"Hạn xử lý: {format_date(lead.deadline)}." in n.body
        assert "Ý kiến chỉ đạo: Giao Cục XNK chủ trì, báo cáo Bộ." in n.body
        assert n.url == f"/giao-viec/{lead.pk}/"
    [n] = inbox(flow.outsider)
    assert n.title == f"Văn bản gửi để biết: {flow.doc.subject}" and n.url == f"/giao-viec/{info.pk}/"
    # People of other units, and the Cục's admin and specialist, are not told.
    for person in (w.unit_admin, w.specialist, w.other_clerk, flow.pc_leader):
        assert inbox(person) == []


def test_reassigning_inside_the_unit_tells_the_specialist_and_the_department(flow):
    w = flow.world
    (lead,) = flow.direct()
    Notification.objects.all().delete()
    workflow.reassign(actor=w.leader, assignment=lead, text="Phòng QLXK chủ trì, đồng chí Khoa phối hợp",
                      assignees=[AssigneeSpec("lead", unit=w.team, deadline=in_days(8)),
                                 AssigneeSpec("cooperate", user=w.specialist, deadline=in_days(6))])  # fmt: skip
    [team] = inbox(flow.team_leader)
    assert team.title.startswith("Được giao chủ trì xử lý – Phòng Quản lý xuất khẩu")
    [spec] = inbox(w.specialist)
    assert spec.title == f"Được giao phối hợp xử lý: {flow.doc.subject}" and spec.actor == w.leader
    assert inbox(w.leader) == []  # the actor is not told about their own action


def test_a_unit_with_no_leader_or_clerk_is_answered_for_by_the_unit_above(flow, make_unit):
    w = flow.world
    empty = make_unit("Phòng Thị trường", parent=w.dept, short_name="XNK-TT")
    (lead,) = flow.direct()
    Notification.objects.all().delete()
    workflow.reassign(actor=w.leader, assignment=lead, text="Giao Phòng Thị trường",
                      assignees=[AssigneeSpec("lead", unit=empty, deadline=in_days(5))])  # fmt: skip
    assert [n.title.split(":")[0] for n in inbox(w.unit_clerk)] == ["Được giao chủ trì xử lý – Phòng Thị trường"]


def test_a_refused_direction_notifies_nobody(flow):
    pres = flow.present()
    before = Notification.objects.count()
    with pytest.raises(WorkflowError):
        workflow.direct(actor=flow.leader, presentation=pres, text="Giao",
                        assignees=[AssigneeSpec("lead", unit=flow.world.dept, deadline=in_days(-1))])  # fmt: skip
    assert Notification.objects.count() == before


def test_each_reviewer_is_told_when_their_turn_comes(desk):
    from vanban.outgoing import services as outgoing

    w = desk.world
    doc = desk.draft()
    outgoing.submit(actor=w.specialist, document=doc, note="Kính trình lãnh đạo xem xét",
                    reviewers=[("unit_leader", w.leader), ("checker", desk.checker)])  # fmt: skip
    [first] = inbox(w.leader)
    assert first.kind == "outgoing.review" and first.title == f"Dự thảo chờ duyệt: {doc.subject}"
    assert first.url == f"/van-ban-di/{doc.pk}/" and "Nội dung trình: Kính trình lãnh đạo xem xét" in first.body
    assert inbox(desk.checker) == [] and inbox(desk.signer) == []  # not their turn yet

    outgoing.approve(actor=w.leader, document=doc, comment="Đồng ý")
    [second] = inbox(desk.checker)
    assert second.actor == w.leader and inbox(desk.signer) == []
    outgoing.approve(actor=desk.checker, document=doc, comment="Đúng thể thức")
    [third] = inbox(desk.signer)
    assert "Bước duyệt:" in third.body
    outgoing.approve(actor=desk.signer, document=doc, comment="Đồng ý ký")
    assert Notification.objects.filter(kind="outgoing.review").count() == 3


def test_whoever_acts_for_a_leader_today_is_told_too(flow):
    import datetime as dt

    from vanban.core.timeutil import today
    from vanban.organisation import services as org

    deputy = flow.leader2
    org.create_delegation(
        actor=flow.leader, principal=flow.leader, delegate=deputy,
        start_date=today() - dt.timedelta(days=1), end_date=today() + dt.timedelta(days=3),
    )  # fmt: skip
    pres = flow.present()
    assert [n.url for n in inbox(deputy)] == [f"/trinh/{pres.pk}/"]
    assert len(inbox(flow.leader)) == 1
