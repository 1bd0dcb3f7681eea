"""The receiving side of revocation (1), update (2), replacement (3) and take-back
(status 13): applied at once to a document not yet registered (15 back), decided by the
clerk on a registered one (15 / 16 back), warned about when nothing matches; and the
sender seeing the answers per recipient."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from vanban.audit.models import AuditEvent
from vanban.documents import storage
from vanban.documents.tests.docs_world import pdf_bytes
from vanban.exchange import changes, edxml
from vanban.exchange.errors import WrongState
from vanban.exchange.export import identifier_of, status_message
from vanban.exchange.inbox import take_in
from vanban.exchange.messages import (
    VIETNAM,
    Attachment,
    Business,
    OrganInfo,
    ReplacementInfo,
    ResponseFor,
    StatusMessage,
    TraceHeader,
)
from vanban.exchange.models import ChangeRequest, OutboxMessage, Partner, ReceivedMessage, RecipientStatus
from vanban.exchange.selectors import received_rows
from vanban.exchange.services import accept_received, receive_message
from vanban.exchange.tests.conftest import sample, simple_message
from vanban.exchange.tests.test_export import _issue, nghe_an, signable  # noqa: F401
from vanban.exchange.tests.test_transport import _partner
from vanban.incoming.tests.conftest import ministry_leader  # noqa: F401
from vanban.notifications.models import Notification
from vanban.organisation.roles import Role
from vanban.outgoing import services as outgoing
from vanban.outgoing.tests.conftest import Desk, desk  # noqa: F401

pytestmark = pytest.mark.django_db

G22 = OrganInfo(organ_id="000.00.00.G22", organization_in_charge="Văn phòng Chính phủ", organ_name="Văn phòng Chính phủ")
ID_7816 = "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"  # the revocation and take-back samples' document
ID_7806_REPLACED = "000.00.00.G22,2014/01/30,7806/VPCP-TTĐT"  # edoc_replacement.edxml's ReplacementInfo
ID_7806_UPDATED = "000.00.00.G22,2014/02/30,7806/VPCP-TTĐT"  # edoc_update.edxml's Bussiness/DocumentId


def _from_g22(document_id: str, number: str, *, marker: str = "", business: Business | None = None,
              day: dt.date = dt.date(2015, 9, 30)) -> bytes:  # fmt: skip
    """A document message of the Government Office to UBND Nghệ An with a real PDF."""
    message = simple_message(
        from_organ=G22, document_id=document_id, code_number=number, code_notation="VPCP-TTĐT",
        promulgation_date=day, subject=f"V/v kết nối, liên thông phần mềm quản lý văn bản ({number})",
        trace_headers=[TraceHeader(organ_id="000.00.00.G22", timestamp=dt.datetime(2026, 3, 5, 9, 0, tzinfo=VIETNAM))],
        business=business or Business(business_doc_type=0, reason="Văn bản điện tử mới", paper=0),
        attachments=[Attachment(content_id=f"cid-{number}-{marker or 'goc'}", name=f"{number}-VPCP.pdf",
                                description=f"{number}-VPCP.pdf", content_type="application/pdf",
                                data=pdf_bytes(marker=f"{number} {marker}"))],
    )  # fmt: skip
    return edxml.build_document(message)


@pytest.fixture
def vpcp(own_h41: Any, isolated_storage: Any) -> Partner:
    """UBND Nghệ An runs this installation; the Government Office is its partner."""
    return _partner("000.00.00.G22", name="Văn phòng Chính phủ", endpoint="http://127.0.0.1:9")


@pytest.fixture
def clerk(make_user: Any, make_unit: Any) -> Any:
    return make_user("vt.nghean", roles=[Role.MINISTRY_CLERK], unit=make_unit("Văn phòng UBND tỉnh"))


def _receive(data: bytes) -> ReceivedMessage:
    return receive_message(actor=None, data=data, channel="test").row


def _sent(code: str) -> list[StatusMessage]:
    rows = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.STATUS, status_code=code).order_by("pk")
    parsed = [edxml.parse(storage.read_blob(r.raw.sha256)) for r in rows]
    assert all(isinstance(m, StatusMessage) for m in parsed)
    return parsed  # type: ignore[return-value]


def _registered_with_work(clerk: Any, make_user: Any, data: bytes) -> tuple[ReceivedMessage, Any, Any]:
    """The document received, registered and directed to a specialist."""
    from django.utils import timezone

    from vanban.workflow import services as workflow

    original = _receive(data)
    doc = accept_received(actor=clerk, message=original)
    unit = clerk.appointments.get().unit
    leader = make_user("ld.nghean", roles=[Role.MINISTRY_LEADER], unit=unit)
    specialist = make_user("cv.nghean", roles=[Role.SPECIALIST], unit=unit)
    presentation = workflow.present(actor=clerk, document=doc, leader=leader)
    workflow.direct(actor=leader, presentation=presentation, text="Nghiên cứu, tham mưu",
                    assignees=[workflow.AssigneeSpec(role="lead", user=specialist,
                                                     deadline=timezone.localdate() + dt.timedelta(days=5))])  # fmt: skip
    original.refresh_from_db()
    return original, doc, specialist


# --- Not registered yet: applied at once, 15 back ------------------------------------------------


def test_recall_of_an_unregistered_document_withdraws_it_and_answers_15(vpcp: Partner, clerk: Any) -> None:
    original = _receive(_from_g22(ID_7816, "7816"))
    revocation = _receive(sample("edoc_revocation.edxml"))
    request = revocation.change_request
    assert (request.kind, request.state, request.target_id) == (1, "applied", original.pk)
    assert request.reason == "Thu hồi văn bản điện tử"
    original.refresh_from_db()
    assert original.status == "revoked" and original.refusal_reason == "Thu hồi văn bản điện tử"
    assert revocation.status == "change"
    # Out of the clerk's queue; registering it now is refused with its own code.
    assert list(received_rows("waiting")) == []
    with pytest.raises(WrongState) as exc:
        accept_received(actor=clerk, message=original)
    assert exc.value.code == "revoked_by_sender"
    (answer,) = _sent("15")
    assert answer.response_for.document_id == ID_7816 and answer.response_for.organ_id == "000.00.00.G22"
    assert answer.from_organ.organ_id == "000.00.00.H41"
    event = AuditEvent.objects.get(action="exchange.change_received")
    assert event.data["state"] == "applied" and event.data["target"] == original.pk


def test_take_back_status_13_is_a_recall_request(vpcp: Partner) -> None:
    original = _receive(_from_g22(ID_7816, "7816"))
    take_back = take_in(partner=vpcp, data=sample("status_cancellation_13.edxml"), channel="http").row
    request = take_back.change_request
    assert (take_back.kind, request.kind, request.state, request.target_id) == ("status", 1, "applied", original.pk)
    assert request.reason == "Văn thư yêu cầu lấy lại văn bản điện tử kèm lý do"
    original.refresh_from_db()
    assert original.status == "revoked"
    (answer,) = _sent("15")
    assert (answer.response_for.organ_id, answer.response_for.document_id) == ("000.00.00.G22", ID_7816)
    assert answer.response_for.code == "7816/VPCP-TTĐT"


def test_replacement_of_an_unregistered_document_takes_its_place_then_can_be_recalled(vpcp: Partner,
                                                                                       clerk: Any) -> None:  # fmt: skip
    original = _receive(_from_g22(ID_7806_REPLACED, "7806", day=dt.date(2014, 1, 30)))
    replacement = _receive(sample("edoc_replacement.edxml"))
    request = replacement.change_request
    assert (request.kind, request.state, request.target_id) == (3, "applied", original.pk)
    original.refresh_from_db()
    assert original.status == "superseded" and replacement.status == "received"
    assert [m.pk for m in received_rows("waiting")] == [replacement.pk]
    (answer,) = _sent("15")
    assert answer.response_for.document_id == replacement.document_id == ID_7816
    with pytest.raises(WrongState) as exc:
        accept_received(actor=clerk, message=original)
    assert exc.value.code == "superseded"
    # The sender then recalls the replacing document (same DocumentId, type 1).
    revocation = _receive(sample("edoc_revocation.edxml"))
    assert revocation.change_request.target_id == replacement.pk
    replacement.refresh_from_db()
    assert replacement.status == "revoked"
    assert list(received_rows("waiting")) == []


# --- Registered: the clerk decides ---------------------------------------------------------------


def test_recall_of_a_registered_document_accepted_by_the_clerk(vpcp: Partner, clerk: Any, make_user: Any,
                                                               web_client: Any) -> None:  # fmt: skip
    original, doc, specialist = _registered_with_work(clerk, make_user, _from_g22(ID_7816, "7816"))
    revocation = _receive(sample("edoc_revocation.edxml"))
    request = revocation.change_request
    assert (request.state, request.incoming_id) == ("pending", doc.pk)
    assert _sent("15") == []
    assert [m.pk for m in received_rows("waiting")] == [revocation.pk]
    web = web_client(clerk)
    page = web.get(f"/van-ban-den/{doc.pk}/").content.decode()
    assert "Yêu cầu thu hồi, cập nhật, thay thế của bên gửi" in page and "Đồng ý thu hồi" in page
    assert "Lý do của bên gửi: Thu hồi văn bản điện tử" in page
    r = web.post(f"/van-ban-lien-thong/yeu-cau/{request.pk}/dong-y/", {"next": f"/van-ban-den/{doc.pk}/"})
    assert r.status_code == 302 and r.url == f"/van-ban-den/{doc.pk}/"
    request.refresh_from_db()
    assert request.state == "accepted" and request.decided_by == clerk
    (answer,) = _sent("15")
    assert answer.response_for.document_id == ID_7816
    page = web.get(f"/van-ban-den/{doc.pk}/").content.decode()
    assert "Văn bản đã bị bên gửi thu hồi" in page and "Đồng ý thu hồi" not in page
    notice = Notification.objects.get(kind="exchange.changed", recipient=specialist)
    assert "thu hồi" in notice.title and notice.url == f"/van-ban-den/{doc.pk}/"
    assert Notification.objects.filter(kind="exchange.changed").count() == 2  # the specialist and the leader
    assert AuditEvent.objects.filter(action="exchange.change_accepted", target_id=str(revocation.pk)).count() == 1
    # Twice is refused, and nothing more is sent.
    r = APIClient()
    r.force_authenticate(clerk)
    again = r.post(f"/api/v1/exchange/changes/{request.pk}/accept")
    assert again.status_code == 409 and again.json()["code"] == "change_decided"


def test_take_back_of_a_registered_document_refused_with_a_reason(vpcp: Partner, clerk: Any, make_user: Any,
                                                                  api_client: Any) -> None:  # fmt: skip
    original, doc, _ = _registered_with_work(clerk, make_user, _from_g22(ID_7816, "7816"))
    take_back = take_in(partner=vpcp, data=sample("status_cancellation_13.edxml"), channel="http").row
    request = take_back.change_request
    assert request.state == "pending"
    api = api_client(clerk)
    listed = api.get("/api/v1/exchange/changes", {"state": "open", "incoming": doc.pk}).json()
    assert [c["id"] for c in listed["results"]] == [request.pk] and listed["results"][0]["take_back"] is True
    blank = api.post(f"/api/v1/exchange/changes/{request.pk}/refuse", {"reason": "  "}, format="json")
    assert blank.status_code == 400
    r = api.post(f"/api/v1/exchange/changes/{request.pk}/refuse",
                 {"reason": "Văn bản đã giao xử lý, đề nghị gửi văn bản đính chính"}, format="json")  # fmt: skip
    assert r.status_code == 200 and r.json()["state"] == "refused"
    (answer,) = _sent("16")
    assert answer.description == "Văn bản đã giao xử lý, đề nghị gửi văn bản đính chính"
    assert answer.response_for.document_id == ID_7816
    original.refresh_from_db()
    assert original.status == "registered"
    assert changes.marking(doc) is None
    assert AuditEvent.objects.filter(action="exchange.change_refused").count() == 1
    body = api.get("/api/v1/exchange/received", {"status": "change"}).json()
    assert body["results"][0]["change_request"]["state"] == "refused"


def test_replacement_of_a_registered_document_is_registered_as_a_new_one(vpcp: Partner, clerk: Any,
                                                                          make_user: Any) -> None:  # fmt: skip
    original, doc, specialist = _registered_with_work(clerk, make_user, _from_g22("000.00.00.G22,2026/03/01,15/VPCP-TTĐT",
                                                                                  "15", day=dt.date(2026, 3, 1)))  # fmt: skip
    business = Business(business_doc_type=3, reason="Văn bản thay thế", paper=0,
                        replacements=[ReplacementInfo(document_id=original.document_id, organ_ids=["000.00.00.H41"])])
    replacement = _receive(_from_g22("000.00.00.G22,2026/03/06,18/VPCP-TTĐT", "18", marker="thay the",
                                     business=business, day=dt.date(2026, 3, 6)))  # fmt: skip
    request = replacement.change_request
    assert (request.kind, request.state, request.incoming_id) == (3, "pending", doc.pk)
    changes.accept_change(actor=clerk, change=request)
    request.refresh_from_db()
    new = request.replacement
    assert new is not None and new.pk != doc.pk and new.arrival_number == doc.arrival_number + 1
    assert new.code_number == "18" and new.files.count() == 1
    replacement.refresh_from_db()
    assert (replacement.status, replacement.incoming_id) == ("registered", new.pk)
    assert changes.marking(doc) == request
    assert [s.response_for.document_id for s in _sent("15")] == [replacement.document_id]
    assert [s.response_for.document_id for s in _sent("03")] == [original.document_id, replacement.document_id]
    assert Notification.objects.filter(kind="exchange.changed", recipient=specialist).exists()


def test_update_of_a_registered_document_adds_the_new_files(vpcp: Partner, clerk: Any, make_user: Any) -> None:
    original, doc, _ = _registered_with_work(clerk, make_user, _from_g22("000.00.00.G22,2026/03/01,15/VPCP-TTĐT",
                                                                         "15", day=dt.date(2026, 3, 1)))  # fmt: skip
    business = Business(business_doc_type=2, reason="Cập nhật văn bản điện tử", document_id=original.document_id,
                        paper=0)  # fmt: skip
    update = _receive(_from_g22("000.00.00.G22,2026/03/02,15/VPCP-TTĐT", "15", marker="cap nhat",
                                business=business, day=dt.date(2026, 3, 2)))  # fmt: skip
    request = update.change_request
    assert (request.kind, request.state) == (2, "pending")
    assert update.status == "change"  # not a new document for the register
    changes.accept_change(actor=clerk, change=request)
    names = list(doc.files.order_by("position").values_list("name", "role"))
    assert names == [("15-VPCP.pdf", "main"), ("15-VPCP.pdf", "attachment")]
    assert doc.files.values("file__sha256").distinct().count() == 2
    assert changes.marking(doc) is None  # an update leaves the document valid
    (answer,) = _sent("15")
    assert answer.response_for.document_id == update.document_id


# --- Nothing matches --------------------------------------------------------------------------------


def test_requests_about_unknown_documents_are_warned_and_kept(vpcp: Partner, clerk: Any, web_client: Any) -> None:
    # Neither 7816 nor 7806 was received (the update's own DocumentId is 7816, so it
    # comes second: a revocation after it would rightly revoke it).
    revocation = _receive(sample("edoc_revocation.edxml"))
    update = _receive(sample("edoc_update.edxml"))
    assert (update.change_request.state, revocation.change_request.state) == ("unmatched", "unmatched")
    assert any(ID_7806_UPDATED in w and "không tìm thấy" in w for w in update.warnings)
    assert update.status == "received" and revocation.status == "change"
    assert {m.pk for m in received_rows("waiting")} == {update.pk, revocation.pk}
    assert _sent("15") == []
    web = web_client(clerk)
    page = web.get("/van-ban-lien-thong/").content.decode()
    assert page.count('data-testid="change-request"') == 2 and page.count("Từ chối yêu cầu</button>") == 2
    assert f"Không tìm thấy văn bản {ID_7806_UPDATED} trong các văn bản đã nhận" in page
    web.post(f"/van-ban-lien-thong/yeu-cau/{revocation.change_request.pk}/tu-choi/",
             {"reason": "Không nhận được văn bản này"})  # fmt: skip
    (answer,) = _sent("16")
    assert answer.description == "Không nhận được văn bản này"
    with pytest.raises(WrongState) as exc:  # nothing to agree to: only refusing or registering it as new
        changes.accept_change(actor=clerk, change=update.change_request)
    assert exc.value.code == "change_decided"
    assert ChangeRequest.objects.get(pk=revocation.change_request.pk).state == "refused"
    assert {m.pk for m in received_rows("waiting")} == {update.pk}


# --- The sender: the answers per recipient, a round trip in one database ---------------------------


def test_recall_round_trip_shows_15_on_the_recipient(signable: Desk, nghe_an: Any, api_client: Any,  # noqa: F811
                                                    web_client: Any) -> None:  # fmt: skip
    """The ministry issues to Nghệ An and recalls; Nghệ An (played here by making its
    organ one of ours) takes both messages in, withdraws the unregistered document and
    answers 15, which the ministry shows on the recipient."""
    d = signable
    province = _partner()  # Nghệ An, as the ministry's partner
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    outgoing.recall(actor=d.world.ministry_clerk, document=doc, reason="Ban hành nhầm đối tượng")
    sent = OutboxMessage.objects.filter(kind="document").order_by("pk")
    assert [m.business_doc_type for m in sent] == [0, 1]
    # The province's side.
    type(nghe_an).objects.filter(pk=nghe_an.pk).update(is_own=True)
    _partner(d.world.organ.organ_id, name=d.world.organ.name, endpoint="http://127.0.0.1:9")
    received = [receive_message(actor=None, data=storage.read_blob(m.raw.sha256), channel="http").row for m in sent]
    received[0].refresh_from_db()
    assert received[0].status == "revoked" and received[1].change_request.state == "applied"
    assert received[1].change_request.reason == "Ban hành nhầm đối tượng"
    answer = OutboxMessage.objects.get(kind="status", status_code="15")
    # Back at the ministry.
    take_in(partner=province, data=storage.read_blob(answer.raw.sha256), channel="http")
    state = RecipientStatus.objects.get(recipient__document=doc)
    assert state.change_code == "15" and state.change_label == "15 – Đồng ý cập nhật, lấy lại"
    body = api_client(d.world.ministry_clerk).get(f"/api/v1/outgoing/{doc.pk}").json()
    (rec,) = body["recipients"]
    assert rec["exchange"]["change_code"] == "15" and rec["exchange"]["change_label"].startswith("15 –")
    page = web_client(d.world.ministry_clerk).get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert "trả lời yêu cầu thu hồi, cập nhật, thay thế: 15 – Đồng ý cập nhật, lấy lại" in page


def test_a_refusal_16_shows_its_reason_on_the_recipient(signable: Desk, nghe_an: Any, api_client: Any,  # noqa: F811
                                                        web_client: Any) -> None:  # fmt: skip
    d = signable
    province = _partner()
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    outgoing.recall(actor=d.world.ministry_clerk, document=doc, reason="Ban hành nhầm")
    at = dt.datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
    for code, minutes, text in (("03", 0, ""), ("16", 5, "Văn bản đã giao xử lý, không thu hồi được")):
        message = status_message(organ=nghe_an, response_for=ResponseFor(
            organ_id=d.world.organ.organ_id, code=doc.number_symbol, promulgation_date=doc.issued_date,
            document_id=identifier_of(doc)), code=code, description=text, at=at + dt.timedelta(minutes=minutes))  # fmt: skip
        take_in(partner=province, data=edxml.build_status(message), channel="http")
    state = RecipientStatus.objects.get(recipient__document=doc)
    assert (state.status_code, state.change_code) == ("03", "16")
    assert state.change_description == "Văn bản đã giao xử lý, không thu hồi được"
    (rec,) = api_client(d.world.ministry_clerk).get(f"/api/v1/outgoing/{doc.pk}").json()["recipients"]
    assert rec["exchange"]["change_description"] == "Văn bản đã giao xử lý, không thu hồi được"
    page = web_client(d.world.ministry_clerk).get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert "16 – Từ chối cập nhật, lấy lại (Văn bản đã giao xử lý, không thu hồi được)" in page
    assert "liên thông: 03 – Đã tiếp nhận" in page
