"""The workflow pages, used as a clerk, leaders and a specialist would."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vanban.documents.tests.docs_world import pdf_bytes
from vanban.incoming.models import IncomingDocument
from vanban.workflow.models import Assignment, ExtensionRequest, Presentation, Step
from vanban.workflow.tests.conftest import Flow, in_days

pytestmark = pytest.mark.django_db


def _rows(*rows: tuple[str, str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for i, (role, who, deadline) in enumerate(rows):
        data[f"role_{i}"] = role
        data[f"who_{i}"] = who
        data[f"deadline_{i}"] = deadline.isoformat() if deadline else ""
    return data


def test_the_whole_flow_through_the_pages(flow: Flow, web_client: Any, isolated_storage: Any) -> None:
    w = flow.world
    clerk = web_client(w.ministry_clerk)
    assert str(flow.doc.subject) in clerk.get(reverse("web:awaiting")).content.decode()
    detail = clerk.get(reverse("web:incoming_detail", args=[flow.doc.pk])).content.decode()
    assert 'data-testid="present"' in detail
    response = clerk.post(reverse("web:present", args=[flow.doc.pk]),
                          {"leader": flow.leader.pk, "proposal": "Đề nghị giao Cục XNK"})
    assert response.status_code == 302
    pres = Presentation.objects.get()

    leader = web_client(flow.leader)
    home = leader.get("/").content.decode()
    assert 'data-count="home"' in home
    queue = leader.get(reverse("web:box", args=["direct"])).content.decode()
    assert "Đề nghị giao Cục XNK" in queue
    response = leader.post(reverse("web:direct", args=[pres.pk]), {
        "direct": "1", "text": "Giao Cục XNK chủ trì; Vụ Pháp chế phối hợp.",
        **_rows(("lead", f"u:{w.dept.pk}", in_days(10)), ("cooperate", f"u:{w.other.pk}", in_days(7)),
                ("info", f"p:{flow.leader2.pk}", None)),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    lead = Assignment.objects.get(role="lead")

    unit_leader = web_client(w.leader)
    assert "Giao Cục XNK chủ trì" in unit_leader.get(reverse("web:assignment", args=[lead.pk])).content.decode()
    response = unit_leader.post(reverse("web:reassign", args=[lead.pk]), {
        "text": "Đồng chí Khoa xử lý", **_rows(("lead", f"p:{w.specialist.pk}", in_days(8))),
    })
    assert response.status_code == 302
    mine = Assignment.objects.get(parent=lead)

    spec = web_client(w.specialist)
    assert reverse("web:assignment", args=[mine.pk]) in spec.get(reverse("web:box", args=["process"])).content.decode()
    page = reverse("web:assignment", args=[mine.pk])
    assert spec.post(page, {"action": "progress", "progress-progress": "40", "progress-text": "Đang tổng hợp"}).status_code == 302
    response = spec.post(page, {"action": "note", "note-text": "Dự thảo lần 1",
                                "files": [SimpleUploadedFile("du-thao.pdf", pdf_bytes(marker="d1"), "application/pdf")]})
    assert response.status_code == 302
    step = Step.objects.get(kind="file")
    assert spec.get(reverse("web:step_file", args=[step.pk])).status_code == 200
    assert spec.post(page, {"action": "complete", "complete-result": "Đã dự thảo báo cáo"}).status_code == 302
    assert unit_leader.post(reverse("web:assignment", args=[lead.pk]),
                            {"action": "complete", "complete-result": "Cục đã báo cáo Bộ"}).status_code == 302
    flow.doc.refresh_from_db()
    assert flow.doc.status == IncomingDocument.Status.COMPLETED

    info_reader = web_client(flow.leader2)
    info_reader.get(reverse("web:incoming_detail", args=[flow.doc.pk]))
    assert Assignment.objects.get(role="info").status == Assignment.Status.READ
    detail = clerk.get(reverse("web:incoming_detail", args=[flow.doc.pk])).content.decode()
    for text in ("Giao Cục XNK chủ trì; Vụ Pháp chế phối hợp.", "Đồng chí Khoa xử lý", "Đã xem (để biết)",
                 "Đã xử lý xong"):
        assert text in detail


def test_two_leads_are_refused_beside_the_form(flow: Flow, web_client: Any) -> None:
    pres = flow.present()
    w = flow.world
    response = web_client(flow.leader).post(reverse("web:direct", args=[pres.pk]), {
        "direct": "1", "text": "Giao",
        **_rows(("lead", f"u:{w.dept.pk}", in_days(5)), ("lead", f"u:{w.other.pk}", in_days(5))),
    })
    assert response.status_code == 400
    assert "Chỉ được giao một đơn vị hoặc cá nhân chủ trì." in response.content.decode()
    assert Assignment.objects.count() == 0


def test_a_past_deadline_is_shown_on_its_row(flow: Flow, web_client: Any) -> None:
    pres = flow.present()
    response = web_client(flow.leader).post(reverse("web:direct", args=[pres.pk]), {
        "direct": "1", "text": "Giao", **_rows(("lead", f"u:{flow.world.dept.pk}", in_days(-2))),
    })
    assert response.status_code == 400
    assert 'data-error-for="who_0"' in response.content.decode()


def test_leader_forwards_from_the_page(flow: Flow, web_client: Any) -> None:
    pres = flow.present()
    response = web_client(flow.leader).post(reverse("web:direct", args=[pres.pk]),
                                            {"forward": "1", "leader": flow.leader2.pk, "note": "Nhờ anh xử lý"})
    assert response.status_code == 302
    assert Presentation.objects.get(status="pending").leader == flow.leader2


def test_extension_asked_and_approved_on_the_pages(flow: Flow, web_client: Any) -> None:
    (lead,) = flow.direct()
    page = reverse("web:assignment", args=[lead.pk])
    unit_leader = web_client(flow.world.leader)
    response = unit_leader.post(page, {"action": "extension", "extension-new_deadline": in_days(15).isoformat(),
                                       "extension-reason": "Chờ ý kiến các tỉnh"})
    assert response.status_code == 302
    req = ExtensionRequest.objects.get()
    leader = web_client(flow.leader)
    assert "Chờ ý kiến các tỉnh" in leader.get(reverse("web:box", args=["extensions"])).content.decode()
    leader.post(reverse("web:decide_extension", args=[req.pk]), {"decision": "approve", "note": "Đồng ý"})
    lead.refresh_from_db()
    assert lead.deadline == in_days(15)


def test_people_outside_the_document_get_404(flow: Flow, web_client: Any) -> None:
    (lead,) = flow.direct()
    pres = Presentation.objects.get()
    outsider = web_client(flow.outsider)
    assert outsider.get(reverse("web:assignment", args=[lead.pk])).status_code == 404
    assert outsider.get(reverse("web:direct", args=[pres.pk])).status_code == 404
    assert outsider.get(reverse("web:present", args=[flow.doc.pk])).status_code == 404
    assert outsider.post(reverse("web:assignment", args=[lead.pk]),
                         {"action": "complete", "complete-result": "x"}).status_code == 404
    # the specialist of the unit, not assigned, sees the document but may not act on it
    assert web_client(flow.world.unit_clerk).post(
        reverse("web:assignment", args=[lead.pk]), {"action": "complete", "complete-result": "x"}
    ).status_code == 403


def test_boxes_filter_and_sort(flow: Flow, web_client: Any) -> None:
    flow.direct()
    client = web_client(flow.world.leader)
    for query in ("", "?trang_thai=overdue", "?trang_thai=all&sap_xep=deadline", "?sap_xep=urgency&do_khan=khan",
                  "?tu_ngay=2020-01-01&den_ngay=2099-01-01&co_quan=Nghệ"):
        assert client.get(reverse("web:box", args=["process"]) + query).status_code == 200
    assert flow.doc.subject in client.get(reverse("web:box", args=["process"])).content.decode()
    overdue = client.get(reverse("web:box", args=["process"]) + "?trang_thai=overdue").content.decode()
    assert flow.doc.subject not in overdue
    assert client.get(reverse("web:unit_box")).status_code == 200
    assert client.get(reverse("web:box", args=["nope"])).status_code == 404
