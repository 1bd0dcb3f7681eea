"""Sign, number, seal, issue and circulate: the end of the outgoing flow, with real
PAdES signatures checked by the validator."""

from __future__ import annotations

from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.documents import storage
from vanban.incoming.models import IncomingDocument
from vanban.outgoing import selectors, services
from vanban.outgoing.errors import OutgoingError, WrongState
from vanban.outgoing.models import OutgoingDocument, Recipient, Version
from vanban.outgoing.tests.conftest import Desk
from vanban.signatures import samples
from vanban.signatures import services as signatures
from vanban.signatures.validation import validate_pdf

pytestmark = pytest.mark.django_db

PASSWORD = "Ky@so2026"


@pytest.fixture
def signable(desk: Desk) -> Desk:
    signatures.init_pki(actor=None)
    signatures.issue_certificate(actor=desk.signer, user=desk.signer, password=PASSWORD)
    return desk


def _approved_with_final(desk: Desk, **kw: Any) -> OutgoingDocument:
    doc = desk.through_review(desk.draft(**kw))
    pdf = samples.draft_pdf(signer_name=desk.signer.full_name, type_abbreviation="BCT-XNK", title="CÔNG VĂN")
    services.add_version(actor=desk.world.specialist, document=doc, file=("cong-van.pdf", pdf), comment="Bản cuối")
    return doc


def _bytes(version: Version) -> bytes:
    with storage.open_blob(version.file.sha256) as fh:
        return fh.read()


def test_sign_then_issue_numbers_seals_and_circulates(signable: Desk) -> None:
    desk = signable
    doc = _approved_with_final(desk)
    with pytest.raises(PermissionDenied):
        services.sign(actor=desk.world.leader, document=doc, secret=PASSWORD)
    with pytest.raises(Exception) as err:
        services.sign(actor=desk.signer, document=doc, secret="sai-mat-khau")
    assert getattr(err.value, "code", "")  # a stable code for a wrong password
    assert not doc.versions.filter(kind=Version.Kind.SIGNED).exists()
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    doc.refresh_from_db()
    assert doc.status == OutgoingDocument.Status.SIGNED
    assert list(selectors.in_box(desk.world.ministry_clerk, "issue")) == [doc]

    services.issue(actor=desk.world.ministry_clerk, document=doc)
    doc.refresh_from_db()
    assert (doc.status, doc.number, doc.number_symbol) == (OutgoingDocument.Status.ISSUED, 1, "01/BCT-XNK")
    issued = doc.versions.get(kind=Version.Kind.ISSUED)
    report = validate_pdf(_bytes(issued))
    assert len(report.signatures) == 2
    assert all(s.intact and s.valid for s in report.signatures)
    (recipient,) = doc.recipients.all()
    assert recipient.delivery == Recipient.Delivery.DELIVERED
    received = recipient.incoming
    assert (received.register.unit, received.code_notation, received.receipt_method) == (
        desk.world.other, "BCT-XNK", "internal")
    assert received.files.get().file == issued.file
    assert AuditEvent.objects.filter(action="outgoing.issued", target_id=str(doc.pk)).exists()
    with pytest.raises(WrongState) as again:
        services.issue(actor=desk.world.ministry_clerk, document=doc)
    assert again.value.code == "already_issued"


def test_only_the_clerk_issues_and_only_signed_documents(signable: Desk) -> None:
    desk = signable
    doc = _approved_with_final(desk)
    with pytest.raises(WrongState) as err:
        services.issue(actor=desk.world.ministry_clerk, document=doc)
    assert err.value.code == "not_signed"
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    with pytest.raises(PermissionDenied):
        services.issue(actor=desk.world.unit_clerk, document=doc)


def test_a_restricted_document_is_issued_but_not_circulated(signable: Desk) -> None:
    desk = signable
    doc = _approved_with_final(desk, restricted=True)
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=desk.world.ministry_clerk, document=doc)
    assert list(doc.recipients.values_list("delivery", flat=True)) == [Recipient.Delivery.HELD]
    assert IncomingDocument.objects.count() == 0


def test_signing_needs_a_final_pdf(signable: Desk) -> None:
    desk = signable
    doc = desk.through_review(desk.draft())
    with pytest.raises(OutgoingError) as err:
        services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    assert err.value.code == "final_pdf_required"


def test_recall_and_replace(signable: Desk) -> None:
    desk = signable
    doc = _approved_with_final(desk)
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=desk.world.ministry_clerk, document=doc)
    replacement = services.start_correction(actor=desk.world.specialist, document=doc, relation="replace",
                                            file=("thay-the.pdf", samples.draft_pdf()))
    assert (replacement.relation, replacement.relates_to) == ("replace", doc)
    services.recall(actor=desk.world.ministry_clerk, document=doc, reason="Sai số liệu tại Điều 2")
    doc.refresh_from_db()
    assert doc.status == OutgoingDocument.Status.RECALLED
    with pytest.raises(WrongState):
        services.recall(actor=desk.world.ministry_clerk, document=doc, reason="Lần nữa")


def test_a_reply_completes_the_assignment_it_answers(signable: Desk) -> None:
    from vanban.workflow.models import Assignment
    from vanban.workflow.services import AssigneeSpec, direct, present
    from vanban.workflow.tests.conftest import in_days

    desk = signable
    w = desk.world
    from vanban.incoming.services import register_incoming
    from vanban.incoming.tests.conftest import sample_data

    incoming = register_incoming(actor=w.ministry_clerk, data=sample_data())
    pres = present(actor=w.ministry_clerk, document=incoming, leader=desk.signer)
    direction = direct(actor=desk.signer, presentation=pres, text="Đồng chí chuyên viên dự thảo trả lời",
                       assignees=[AssigneeSpec("lead", user=w.specialist, deadline=in_days(5))])
    assignment = direction.assignments.get()
    doc = _approved_with_final(desk, for_assignment=assignment.pk)
    assert doc.reply_to == incoming
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=w.ministry_clerk, document=doc)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.COMPLETED
    assert "01/BCT-XNK" in assignment.result


def test_sign_and_issue_on_the_pages_and_by_api(signable: Desk, web_client: Any, api_client: Any) -> None:
    from django.urls import reverse

    desk = signable
    doc = _approved_with_final(desk)
    page = reverse("web:outgoing_detail", args=[doc.pk])
    signer = web_client(desk.signer)
    assert 'data-action="sign"' in signer.get(page).content.decode()
    bad = signer.post(page, {"action": "sign", "sign-secret": "sai"})
    assert bad.status_code == 400
    assert signer.post(page, {"action": "sign", "sign-secret": PASSWORD}).status_code == 302
    clerk = web_client(desk.world.ministry_clerk)
    assert 'data-action="issue"' in clerk.get(page).content.decode()
    assert clerk.post(page, {"action": "issue", "issue-secret": ""}).status_code == 302
    doc.refresh_from_db()
    assert doc.number_symbol == "01/BCT-XNK"
    assert "01/BCT-XNK" in clerk.get(page).content.decode()

    second = _approved_with_final(desk, subject="V/v thứ hai")
    r = api_client(desk.signer).post(f"/api/v1/outgoing/{second.pk}/sign", {"secret": PASSWORD}, format="json")
    assert (r.status_code, r.json()["status"]) == (200, "signed")
    r = api_client(desk.world.ministry_clerk).post(f"/api/v1/outgoing/{second.pk}/issue", {}, format="json")
    assert (r.status_code, r.json()["number_symbol"]) == (200, "02/BCT-XNK")
    r = api_client(desk.world.ministry_clerk).post(f"/api/v1/outgoing/{second.pk}/issue", {}, format="json")
    assert (r.status_code, r.json()["code"]) == (409, "already_issued")
    r = api_client(desk.world.specialist).post(f"/api/v1/outgoing/{second.pk}/corrections",
                                               {"relation": "update", "file": _upload()}, format="multipart")
    assert r.status_code == 201 and r.json()["relation"] == "update"


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cap-nhat.pdf", samples.draft_pdf(), "application/pdf")


def test_the_sender_sees_when_an_internal_recipient_opened_it(signable: Desk, make_user: Any) -> None:
    from vanban.incoming.services import record_view
    from vanban.organisation.roles import Role

    desk = signable
    doc = _approved_with_final(desk)
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=desk.world.ministry_clerk, document=doc)
    (recipient,) = doc.recipients.all()
    record_view(actor=desk.world.ministry_clerk, document=recipient.incoming)  # the issuing clerk: no receipt
    recipient.refresh_from_db()
    assert recipient.read_at is None
    reader = make_user("vt.pc.read", roles=[Role.UNIT_LEADER], unit=desk.world.other)
    record_view(actor=reader, document=recipient.incoming)
    recipient.refresh_from_db()
    assert recipient.delivery == Recipient.Delivery.READ and recipient.read_at is not None


def test_copies_have_their_own_yearly_series(signable: Desk) -> None:
    from vanban.outgoing.models import Copy

    desk = signable
    doc = _approved_with_final(desk)
    with pytest.raises(PermissionDenied):
        services.make_copy(actor=desk.world.specialist, document=doc, kind="sao_y")
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    with pytest.raises(WrongState):
        services.make_copy(actor=desk.world.ministry_clerk, document=doc, kind="sao_y")
    services.issue(actor=desk.world.ministry_clerk, document=doc)
    first = services.make_copy(actor=desk.world.ministry_clerk, document=doc, kind="sao_y")
    second = services.make_copy(actor=desk.world.ministry_clerk, document=doc, kind="sao_luc")
    assert (first.number_symbol, second.number_symbol) == ("01/SY-BCT", "02/SL-BCT")
    assert first.register == second.register and not first.register.is_default
    with pytest.raises(OutgoingError) as err:
        services.make_copy(actor=desk.world.ministry_clerk, document=doc, kind="trich_sao")
    assert err.value.code == "excerpt_required"
    excerpt = services.make_copy(actor=desk.world.ministry_clerk, document=doc, kind="trich_sao",
                                 excerpt=("trich.pdf", samples.draft_pdf(title="TRÍCH SAO")))
    assert excerpt.number_symbol == "03/TrS-BCT"
    with storage.open_blob(first.file.sha256) as fh:
        report = validate_pdf(fh.read())
    assert len(report.signatures) == 3 and all(s.intact for s in report.signatures)
    assert Copy.objects.count() == 3


def test_copies_on_the_page_and_by_api(signable: Desk, web_client: Any, api_client: Any) -> None:
    from django.urls import reverse

    desk = signable
    doc = _approved_with_final(desk)
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=desk.world.ministry_clerk, document=doc)
    page = reverse("web:outgoing_detail", args=[doc.pk])
    clerk = web_client(desk.world.ministry_clerk)
    assert clerk.post(page, {"action": "copy", "copy-kind": "sao_y", "copy-note": "Gửi Sở"}).status_code == 302
    body = clerk.get(page).content.decode()
    assert "Sao y số 01/SY-BCT" in body
    copy = doc.copies.get()
    assert clerk.get(reverse("web:outgoing_copy_file", args=[doc.pk, copy.pk])).status_code == 200
    r = api_client(desk.world.ministry_clerk).post(f"/api/v1/outgoing/{doc.pk}/copies", {"kind": "sao_luc"},
                                                   format="json")
    assert (r.status_code, r.json()["number_symbol"]) == (201, "02/SL-BCT")
    r = api_client(desk.world.ministry_clerk).post(f"/api/v1/outgoing/{doc.pk}/copies", {"kind": "ban_nhap"},
                                                   format="json")
    assert r.status_code == 400


def test_signed_versions_show_their_signature_check(signable: Desk, web_client: Any) -> None:
    from django.urls import reverse

    from vanban.documents.signature_reports import check_file

    desk = signable
    doc = _approved_with_final(desk)
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=desk.world.ministry_clerk, document=doc)
    issued = doc.versions.get(kind=Version.Kind.ISSUED)
    check_file(actor=None, stored=issued.file)  # what the worker does after the commit
    page = web_client(desk.world.ministry_clerk).get(reverse("web:outgoing_detail", args=[doc.pk])).content.decode()
    assert "2 chữ ký hợp lệ" in page


def test_issued_documents_are_emailed_in_the_background(signable: Desk, mailoutbox: Any) -> None:
    from vanban.outgoing.tasks import send_issued_email

    desk = signable
    with pytest.raises(OutgoingError) as err:
        desk.draft(recipients=[("email", "khong-phai-email")])
    assert err.value.code == "invalid_email"
    doc = _approved_with_final(desk, recipients=[("email", "vanthu@sct.hanoi.gov.vn"), ("unit", desk.world.other.pk)])
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=desk.world.ministry_clerk, document=doc)
    mail = doc.recipients.get(email="vanthu@sct.hanoi.gov.vn")
    assert mail.delivery == Recipient.Delivery.SENDING
    assert send_issued_email.call(mail.pk) == "sent"
    mail.refresh_from_db()
    assert mail.delivery == Recipient.Delivery.DELIVERED
    (message,) = mailoutbox
    assert message.to == ["vanthu@sct.hanoi.gov.vn"] and "01/BCT-XNK" in message.subject
    (name, content, mime) = message.attachments[0]
    assert mime == "application/pdf" and content.startswith(b"%PDF")


def test_recall_tells_the_internal_recipients_with_the_reason(signable: Desk) -> None:
    from vanban.notifications.models import Notification

    desk = signable
    w = desk.world
    doc = _approved_with_final(desk, recipients=[("user", w.leader.pk)])
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=w.ministry_clerk, document=doc)
    received = Recipient.objects.get(document=doc, user=w.leader).incoming
    assert received is not None
    services.recall(actor=w.ministry_clerk, document=doc, reason="Sai số liệu tại Điều 2")

    notice = Notification.objects.get(recipient=w.leader, kind="outgoing.recalled")
    assert "bị thu hồi" in notice.title and "Sai số liệu tại Điều 2" in notice.body
    assert notice.url == f"/van-ban-den/{received.pk}/"
    assert not Notification.objects.filter(recipient=w.ministry_clerk, kind="outgoing.recalled").exists()
