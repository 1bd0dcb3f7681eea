"""Draft, versions, review chain and opinions: the rules of issue 4, as examples."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.outgoing import selectors, services
from vanban.outgoing.errors import OutgoingError, WrongState
from vanban.outgoing.models import OutgoingDocument, ReviewTask, Version
from vanban.outgoing.tests.conftest import Desk, docx_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


def test_a_specialist_drafts_and_the_first_version_is_kept(desk: Desk) -> None:
    doc = desk.draft()
    assert doc.status == OutgoingDocument.Status.DRAFT
    assert doc.drafting_unit == desk.world.team
    (v,) = doc.versions.all()
    assert (v.number, v.kind, v.file_name, v.created_by) == (1, "draft", "du-thao.docx", desk.world.specialist)
    assert AuditEvent.objects.filter(action="outgoing.drafted", target_id=str(doc.pk)).exists()
    assert list(selectors.in_box(desk.world.specialist, "drafts")) == [doc]


def test_a_draft_must_be_a_document_file(desk: Desk) -> None:
    with pytest.raises(Exception) as err:
        services.create_draft(actor=desk.world.specialist, data=services.DraftData(
            document_type=1, subject="x"), file=("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))
    assert getattr(err.value, "code", "") in ("unsupported_draft_type", "broken_file", "type_mismatch",
                                               "invalid_document_type")
    assert OutgoingDocument.objects.count() == 0


def test_the_signer_must_be_a_leader(desk: Desk) -> None:
    with pytest.raises(OutgoingError) as err:
        services.create_draft(actor=desk.world.specialist, data=services.DraftData(
            document_type=desk.draft().document_type, subject="Báo cáo", signer=desk.world.unit_clerk),
            file=("a.docx", docx_bytes()))
    assert err.value.code == "not_a_signer"


def test_review_chain_in_order_then_the_signer_approves(desk: Desk) -> None:
    doc = desk.draft()
    w = desk.world
    sub = services.submit(actor=w.specialist, document=doc, note="Kính trình",
                          reviewers=[("unit_leader", w.leader), ("checker", desk.checker)])
    assert sub.round == 1
    steps = list(doc.reviews.values_list("step", "reviewer__username", "status"))
    assert steps == [("unit_leader", "ld.xnk", "pending"), ("checker", "cvp.test", "waiting"),
                     ("signer", "ld.bo", "waiting")]
    assert list(selectors.in_box(w.leader, "review")) == [doc]
    assert selectors.in_box(desk.checker, "review").count() == 0
    with pytest.raises(PermissionDenied):
        services.approve(actor=desk.checker, document=doc)  # not their turn
    services.approve(actor=w.leader, document=doc, comment="Đồng ý",
                     file=("sua.docx", docx_bytes("Bản sửa của Cục trưởng")))
    assert doc.versions.order_by("-number").first().kind == Version.Kind.EDITED
    services.approve(actor=desk.checker, document=doc)
    services.approve(actor=desk.signer, document=doc)
    doc.refresh_from_db()
    assert doc.status == OutgoingDocument.Status.APPROVED and doc.approved_at is not None
    assert list(selectors.in_box(desk.signer, "sign")) == [doc]


def test_a_return_cancels_the_rest_and_the_drafter_resubmits(desk: Desk) -> None:
    doc = desk.draft()
    w = desk.world
    services.submit(actor=w.specialist, document=doc, note="Trình", reviewers=[("unit_leader", w.leader)])
    with pytest.raises(OutgoingError):
        services.return_for_changes(actor=w.leader, document=doc, comment="")
    services.return_for_changes(actor=w.leader, document=doc, comment="Bổ sung số liệu quý IV")
    doc.refresh_from_db()
    assert doc.status == OutgoingDocument.Status.RETURNED
    assert list(doc.reviews.values_list("status", flat=True)) == ["returned", "cancelled"]
    services.add_version(actor=w.specialist, document=doc, file=("v2.docx", docx_bytes("v2")), comment="Đã bổ sung")
    sub = services.submit(actor=w.specialist, document=doc, note="Trình lại", reviewers=[("unit_leader", w.leader)])
    assert sub.round == 2 and sub.version.number == 2
    assert doc.reviews.filter(round=2, status="pending").get().reviewer == w.leader


def test_nobody_else_edits_or_approves(desk: Desk) -> None:
    doc = desk.draft()
    w = desk.world
    with pytest.raises(PermissionDenied):
        services.add_version(actor=w.other_clerk, document=doc, file=("x.docx", docx_bytes()))
    services.submit(actor=w.specialist, document=doc, note="Trình", reviewers=[("unit_leader", w.leader)])
    with pytest.raises(WrongState):
        services.update_draft(actor=w.specialist, document=doc, data=services.DraftData(
            document_type=doc.document_type, subject="Sửa khi đang duyệt", signer=desk.signer))
    with pytest.raises(PermissionDenied):
        services.approve(actor=w.specialist, document=doc)


def test_self_review_is_refused(desk: Desk) -> None:
    doc = desk.draft()
    with pytest.raises(OutgoingError) as err:
        services.submit(actor=desk.world.specialist, document=doc, note="Trình",
                        reviewers=[("unit_leader", desk.world.specialist)])
    assert err.value.code == "self_review"


def test_opinions_are_asked_with_a_deadline_and_answered_by_the_unit(desk: Desk, make_user: Any) -> None:
    from vanban.organisation.roles import Role

    doc = desk.draft()
    pc_leader = make_user("vt.pc2", roles=[Role.UNIT_LEADER], unit=desk.world.other)
    deadline = timezone.localdate() + dt.timedelta(days=3)
    with pytest.raises(OutgoingError):
        services.request_opinion(actor=desk.world.specialist, document=doc, question="Góp ý",
                                 deadline=timezone.localdate() - dt.timedelta(days=1), unit=desk.world.other)
    opinion = services.request_opinion(actor=desk.world.specialist, document=doc,
                                       question="Đề nghị Vụ Pháp chế góp ý dự thảo", deadline=deadline,
                                       unit=desk.world.other)
    assert list(selectors.in_box(pc_leader, "opinions")) == [doc]
    with pytest.raises(PermissionDenied):
        services.answer_opinion(actor=desk.world.leader, opinion=opinion, answer="Đồng ý")
    services.answer_opinion(actor=pc_leader, opinion=opinion, answer="Thống nhất, đề nghị sửa Điều 2")
    with pytest.raises(WrongState):
        services.answer_opinion(actor=pc_leader, opinion=opinion, answer="Lại")
    assert [e.kind for e in doc.events.all()] == ["created", "opinion_requested", "opinion_answered"]


def test_route_per_type_and_unit(desk: Desk) -> None:
    from vanban.outgoing.models import ReviewRoute

    doc = desk.draft()
    assert services.route_for(doc) == ["department_head", "unit_leader", "signer"]
    ReviewRoute.objects.create(document_type=None, unit=desk.world.dept, steps=["unit_leader", "checker"])
    assert services.route_for(doc) == ["unit_leader", "checker", "signer"]
    suggested = dict(services.suggested_reviewers(doc))
    assert desk.world.leader in suggested["unit_leader"] and desk.checker in suggested["checker"]
    assert suggested["signer"] == [desk.signer]


def test_visibility(desk: Desk) -> None:
    doc = desk.draft()
    w = desk.world
    visible = lambda u: selectors.outgoing_visible_to(u).filter(pk=doc.pk).exists()  # noqa: E731
    assert visible(w.specialist) and visible(w.leader) and visible(desk.signer)
    assert not visible(w.other_clerk) and not visible(w.ministry_clerk) and not visible(w.sysadmin)
    assert not visible(desk.checker)
    services.submit(actor=w.specialist, document=doc, note="Trình", reviewers=[("checker", desk.checker)])
    assert visible(desk.checker)


def test_a_final_pdf_after_approval(desk: Desk) -> None:
    doc = desk.through_review(desk.draft())
    assert services.final_version(doc) is None
    v = services.add_version(actor=desk.world.specialist, document=doc, file=("ban-cuoi.pdf", pdf_bytes(marker="f")))
    assert v.kind == Version.Kind.FINAL and services.final_version(doc) == v
    with pytest.raises(OutgoingError):
        services.add_version(actor=desk.world.specialist, document=doc, file=("x.docx", docx_bytes()))


def test_notation_follows_decree_30(desk: Desk) -> None:
    doc = desk.draft()
    assert services.notation_for(doc) == "BCT-XNK"
    decision = desk.draft(type_code="quyet-dinh-ca-biet")
    assert services.notation_for(decision) == f"{decision.document_type.abbreviation}-BCT"
    assert ReviewTask.Step.SIGNER == "signer"


def test_one_person_holding_two_steps_reviews_once(desk: Desk) -> None:
    doc = desk.draft()
    w = desk.world
    services.submit(actor=w.specialist, document=doc, note="Trình",
                    reviewers=[("department_head", w.leader), ("unit_leader", w.leader), ("signer", desk.signer)])
    assert list(doc.reviews.values_list("step", "reviewer__username")) == [("unit_leader", "ld.xnk"),
                                                                            ("signer", "ld.bo")]


def test_administrators_configure_routes_on_the_page_and_by_api(desk: Desk, web_client: Any, api_client: Any) -> None:
    from django.urls import reverse

    from vanban.outgoing.models import ReviewRoute

    w = desk.world
    page = web_client(w.unit_admin)
    assert page.get(reverse("web:review_routes")).status_code == 200
    r = page.post(reverse("web:review_routes"), {"unit": w.dept.pk, "steps": ["unit_leader", "checker"]})
    assert r.status_code == 302
    route = ReviewRoute.objects.get()
    assert (route.unit, route.steps) == (w.dept, ["unit_leader", "checker"])
    assert services.route_for(desk.draft()) == ["unit_leader", "checker", "signer"]
    # a unit administrator cannot set the organ-wide default
    assert page.post(reverse("web:review_routes"), {"steps": ["checker"]}).status_code == 403
    assert web_client(w.specialist).get(reverse("web:review_routes")).status_code == 403
    admin = api_client(w.sysadmin)
    r = admin.post("/api/v1/review-routes", {"steps": ["checker"]}, format="json")
    assert r.status_code == 200 and r.json()["unit"] is None
    assert len(admin.get("/api/v1/review-routes").json()) == 2
    assert admin.post("/api/v1/review-routes", {"steps": ["signer"]}, format="json").status_code == 400
    assert admin.delete(f"/api/v1/review-routes/{route.pk}").status_code == 204
    assert api_client(w.specialist).get("/api/v1/review-routes").status_code == 403
