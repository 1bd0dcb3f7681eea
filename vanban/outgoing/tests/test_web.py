"""The outgoing pages, used as the drafter, reviewers and others would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from vanban.documents.models import DocumentType
from vanban.outgoing.models import OutgoingDocument, ReviewTask
from vanban.outgoing.tests.conftest import Desk, docx_bytes

pytestmark = pytest.mark.django_db


def test_draft_submit_review_through_the_pages(desk: Desk, web_client: Any) -> None:
    w = desk.world
    drafter = web_client(w.specialist)
    assert drafter.get(reverse("web:outgoing_new")).status_code == 200
    response = drafter.post(reverse("web:outgoing_new"), {
        "document_type": DocumentType.objects.get(code="cong-van").pk,
        "subject": "V/v góp ý dự thảo Thông tư", "signer": desk.signer.pk, "signer_position": "Thứ trưởng",
        "signing_authority": "KT", "urgency": "normal", "recipients": [f"unit:{w.other.pk}"],
        "to_places": "Như trên", "file": SimpleUploadedFile("du-thao.docx", docx_bytes()), "comment": "Bản 1",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    doc = OutgoingDocument.objects.get()
    page = reverse("web:outgoing_detail", args=[doc.pk])
    assert "du-thao.docx" in drafter.get(page).content.decode()
    r = drafter.post(page, {"action": "submit", "submit-note": "Kính trình Cục trưởng",
                            "submit-step_1_unit_leader": w.leader.pk, "submit-step_0_department_head": ""})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert list(doc.reviews.values_list("step", flat=True)) == ["unit_leader", "signer"]

    leader = web_client(w.leader)
    assert "V/v góp ý dự thảo Thông tư" in leader.get(reverse("web:outgoing_box", args=["review"])).content.decode()
    r = leader.post(page, {"action": "return", "return-comment": "Bổ sung căn cứ"})
    assert r.status_code == 302
    doc.refresh_from_db()
    assert doc.status == OutgoingDocument.Status.RETURNED
    assert "Bổ sung căn cứ" in drafter.get(page).content.decode()
    r = drafter.post(page, {"action": "version", "version-comment": "Đã bổ sung",
                            "version-file": SimpleUploadedFile("v2.docx", docx_bytes("v2"))})
    assert r.status_code == 302
    drafter.post(page, {"action": "submit", "submit-note": "Trình lại", "submit-step_1_unit_leader": w.leader.pk})
    leader.post(page, {"action": "approve", "approve-comment": "Đồng ý"})
    web_client(desk.signer).post(page, {"action": "approve", "approve-comment": "Đồng ý ký"})
    doc.refresh_from_db()
    assert doc.status == OutgoingDocument.Status.APPROVED
    assert doc.reviews.filter(round=2, status=ReviewTask.Status.APPROVED).count() == 2


def test_opinion_asked_and_answered_on_the_page(desk: Desk, web_client: Any, make_user: Any) -> None:
    from vanban.organisation.roles import Role

    doc = desk.draft()
    pc = make_user("vt.pc3", roles=[Role.UNIT_LEADER], unit=desk.world.other)
    page = reverse("web:outgoing_detail", args=[doc.pk])
    deadline = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    r = web_client(desk.world.specialist).post(page, {"action": "opinion", "opinion-target": f"unit:{desk.world.other.pk}",
                                                      "opinion-question": "Góp ý Điều 3", "opinion-deadline": deadline})
    assert r.status_code == 302
    opinion = doc.opinions.get()
    pc_client = web_client(pc)
    assert 'data-testid="answer-form"' in pc_client.get(page).content.decode()
    pc_client.post(page, {"action": "answer", "answer-opinion": opinion.pk, "answer-answer": "Thống nhất"})
    opinion.refresh_from_db()
    assert opinion.answer == "Thống nhất"


def test_outsiders_get_404_and_bad_actions_400(desk: Desk, web_client: Any) -> None:
    doc = desk.draft()
    page = reverse("web:outgoing_detail", args=[doc.pk])
    assert web_client(desk.world.other_clerk).get(page).status_code == 404
    r = web_client(desk.world.specialist).post(page, {"action": "submit", "submit-note": ""})
    assert r.status_code == 400
    assert web_client(desk.world.specialist).post(page, {"action": "explode"}).status_code == 404
    version = doc.versions.get()
    url = reverse("web:outgoing_version_file", args=[doc.pk, version.pk])
    assert web_client(desk.world.specialist).get(url).status_code == 200
    assert web_client(desk.world.other_clerk).get(url).status_code == 404
