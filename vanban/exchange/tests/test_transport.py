"""The transport in one instance: the HTTP inbox (partner authentication, sender check,
idempotent receipt), statuses applied to our recipients in order, the outbox filled on
issue and recall and delivered with backoff into the dead-letter list, the status
messages owed by the incoming lifecycle, and the watched folder."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from vanban.audit.models import AuditEvent
from vanban.exchange import edxml, outbox, partners
from vanban.exchange.export import identifier_of, status_message
from vanban.exchange.inbox import scan_folders
from vanban.exchange.messages import VIETNAM, OrganInfo, ResponseFor, StatusMessage
from vanban.exchange.models import OutboxMessage, Partner, ReceivedMessage, RecipientStatus
from vanban.exchange.services import accept_received
from vanban.exchange.tests.conftest import simple_message
from vanban.exchange.tests.test_export import _issue, nghe_an, signable  # noqa: F401
from vanban.incoming.tests.conftest import ministry_leader  # noqa: F401
from vanban.outgoing import services as outgoing
from vanban.outgoing.models import Recipient
from vanban.outgoing.tests.conftest import Desk, desk  # noqa: F401

pytestmark = pytest.mark.django_db

TOKEN = "ma-nghe-an-gui-bo-cong-thuong-2026"
INBOX = "/api/v1/exchange/inbox"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _partner(organ_id: str = "000.00.00.H41", **kw: Any) -> Partner:
    values = {"organ_id": organ_id, "name": "UBND tỉnh Nghệ An", "endpoint": f"http://127.0.0.1:{_free_port()}",
              "inbound_token": TOKEN, "outbound_token": "ma-bo-gui-nghe-an-2026"}  # fmt: skip
    values.update(kw)
    return partners.create_partner(actor=None, data=partners.PartnerData(**values))


def _post(client: Any, data: bytes, token: str | None = TOKEN, **extra: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(INBOX, data=data, content_type="application/xml", **headers, **extra)


# --- Inbox ----------------------------------------------------------------------------------


def test_inbox_stores_a_message_once_and_owes_status_01(own_h41: Any, isolated_storage: Any) -> None:
    from rest_framework.test import APIClient

    _partner("000.00.00.G02", name="Bộ Công Thương", endpoint="http://127.0.0.1:9")
    data = edxml.build_document(simple_message())
    client = APIClient()
    first = _post(client, data)
    assert first.status_code == 201, first.json()
    again = _post(client, data)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert ReceivedMessage.objects.count() == 1
    (reply,) = OutboxMessage.objects.all()  # status 01 back to the ministry
    assert (reply.kind, reply.status_code, reply.partner.organ_id) == ("status", "01", "000.00.00.G02")


def test_inbox_refuses_unknown_partners_and_senders_who_are_someone_else(own_h41: Any, isolated_storage: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    _partner("000.00.00.G02", name="Bộ Công Thương")
    data = edxml.build_document(simple_message())
    for token in ("sai-ma-hoan-toan-khong-dung", None):
        r = _post(client, data, token)
        assert (r.status_code, r.json()["code"]) == (401, "partner_unauthenticated")
    other = _partner("000.00.00.H29", name="UBND tỉnh Hà Tĩnh", inbound_token="ma-cua-ha-tinh-khac-nhau")
    r = _post(client, data, "ma-cua-ha-tinh-khac-nhau")  # Hà Tĩnh posting a message "from" the ministry
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (403, "sender_mismatch", "From/OrganId")
    partners.set_partner_active(actor=None, partner=other, active=False)
    assert _post(client, data, "ma-cua-ha-tinh-khac-nhau").status_code == 401
    r = _post(client, b"<edXML>khong hop le")
    assert r.status_code == 400 and r.json()["code"]
    assert ReceivedMessage.objects.count() == 0


def test_client_certificate_fingerprint_header_when_trusted(own_h41: Any, isolated_storage: Any,
                                                            settings: Any) -> None:  # fmt: skip
    from rest_framework.test import APIClient

    fp = "ab" * 32
    _partner("000.00.00.G02", name="Bộ Công Thương", inbound_token="", cert_fingerprint=fp)
    data = edxml.build_document(simple_message())
    header = {"HTTP_X_CLIENT_CERT_FINGERPRINT": fp}
    assert _post(APIClient(), data, None, **header).status_code == 401  # not trusted unless configured
    settings.VANBAN_EXCHANGE_TRUST_CERT_HEADER = True
    assert _post(APIClient(), data, None, **header).status_code == 201


# --- Outbox: issue, recall, delivery ----------------------------------------------------------


def test_issuing_queues_one_message_per_partner_and_failure_leads_to_dead_letter(
    signable: Desk, nghe_an: Any, settings: Any, tmp_path: Path, api_client: Any, web_client: Any,  # noqa: F811
) -> None:
    settings.VANBAN_EXCHANGE_MAX_ATTEMPTS = 3
    settings.VANBAN_EXCHANGE_BACKOFF_SECONDS = 10
    d = signable
    partner = _partner()  # nothing listens on its port: the peer is down
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk), ("unit", d.world.other.pk)]))
    (row,) = OutboxMessage.objects.all()
    assert (row.kind, row.business_doc_type, row.state, row.document_id) == ("document", 0, "pending",
                                                                             identifier_of(doc))  # fmt: skip
    external = doc.recipients.get(organ=nghe_an)
    assert external.delivery == Recipient.Delivery.QUEUED

    now = timezone.now()
    assert outbox.deliver_due(now=now).as_dict() == {"sent": 0, "failed": 1, "dead": 0}
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == 1 and "Connection" in row.last_error
    first_wait = row.next_attempt_at - now
    assert outbox.deliver_due(now=now).as_dict() == {"sent": 0, "failed": 0, "dead": 0}  # not due yet
    outbox.deliver_due(now=row.next_attempt_at)
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at - timezone.now() > first_wait * 1.5  # backs off
    assert outbox.deliver_due(now=row.next_attempt_at).dead == 1
    row.refresh_from_db()
    external.refresh_from_db()
    assert row.state == "dead" and external.delivery == Recipient.Delivery.FAILED and external.error

    admin = api_client(d.world.sysadmin)
    listed = admin.get("/api/v1/exchange/outbox").json()["results"]
    assert [m["id"] for m in listed] == [row.pk] and listed[0]["last_error"]
    page = web_client(d.world.sysadmin).get("/quan-tri/lien-thong/gui-loi/").content.decode()
    assert "Gửi lại" in page and "Bộ Công Thương" not in page and "UBND tỉnh Nghệ An" in page

    # The peer comes back as a watched folder; the administrator retries.
    partners.update_partner(actor=None, partner=partner, data=partners.PartnerData(
        organ_id=partner.organ_id, name=partner.name, transport="folder", endpoint=str(tmp_path / "nghe-an")))  # fmt: skip
    r = admin.post(f"/api/v1/exchange/outbox/{row.pk}/retry")
    assert r.status_code == 200 and r.json()["state"] == "pending"
    assert outbox.deliver_due().sent == 1
    row.refresh_from_db()
    external.refresh_from_db()
    assert row.state == "sent" and external.delivery == Recipient.Delivery.DELIVERED
    (written,) = (tmp_path / "nghe-an" / "out").glob("*.edxml")
    assert edxml.parse(written.read_bytes()).document_id == identifier_of(doc)
    assert admin.post(f"/api/v1/exchange/outbox/{row.pk}/abandon", {}, format="json").status_code == 409
    assert AuditEvent.objects.filter(action__in=["exchange.dead_lettered", "exchange.outbox_retried"]).count() == 2

    outgoing.recall(actor=d.world.ministry_clerk, document=doc, reason="Ban hành nhầm")
    recall = OutboxMessage.objects.get(business_doc_type=1)
    assert recall.partner == partner and edxml.parse(storage_bytes(recall)).business.business_doc_type == 1


def storage_bytes(row: OutboxMessage) -> bytes:
    from vanban.documents import storage

    return storage.read_blob(row.raw.sha256)


def test_abandon_from_the_dead_letter_page(signable: Desk, nghe_an: Any, settings: Any,  # noqa: F811
                                           web_client: Any) -> None:  # fmt: skip
    settings.VANBAN_EXCHANGE_MAX_ATTEMPTS = 1
    d = signable
    _partner()
    _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    assert outbox.deliver_due().dead == 1
    row = OutboxMessage.objects.get()
    web = web_client(d.world.sysadmin)
    web.post(f"/quan-tri/lien-thong/gui-loi/{row.pk}/huy/", {"reason": "Cơ quan đã sáp nhập"})
    row.refresh_from_db()
    assert row.state == "abandoned"
    assert AuditEvent.objects.get(action="exchange.outbox_abandoned").data["reason"] == "Cơ quan đã sáp nhập"
    assert web_client(d.world.ministry_clerk).post(f"/quan-tri/lien-thong/gui-loi/{row.pk}/gui-lai/").status_code == 403


def test_recipient_without_partner_or_restricted_document(signable: Desk, nghe_an: Any) -> None:  # noqa: F811
    d = signable
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    r = doc.recipients.get()
    assert r.delivery == Recipient.Delivery.FAILED and "danh bạ liên thông" in r.error
    _partner()
    held = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)], restricted=True))
    assert held.recipients.get().delivery == Recipient.Delivery.HELD
    assert OutboxMessage.objects.count() == 0


# --- Statuses about our documents, in order ---------------------------------------------------


def _status(doc: Any, code: str, at: dt.datetime) -> bytes:
    from vanban.organisation.models import Organ

    h41 = Organ.objects.get(organ_id="000.00.00.H41")
    message = status_message(organ=h41, response_for=ResponseFor(
        organ_id="000.00.00.G02", code=doc.number_symbol, promulgation_date=doc.issued_date,
        document_id=identifier_of(doc)), code=code, at=at)  # fmt: skip
    return edxml.build_status(message)


def test_statuses_move_the_recipient_forward_never_back(signable: Desk, nghe_an: Any,  # noqa: F811
                                                        api_client: Any, web_client: Any) -> None:  # fmt: skip
    from rest_framework.test import APIClient

    d = signable
    _partner()
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    client = APIClient()
    t0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
    for code, minutes in (("01", 0), ("06", 30), ("03", 10), ("04", 20)):  # 03 and 04 arrive late
        assert _post(client, _status(doc, code, t0 + dt.timedelta(minutes=minutes))).status_code == 201
    state = RecipientStatus.objects.get()
    assert state.status_code == "06"
    assert [h["code"] for h in state.history] == ["01", "03", "04", "06"]
    r = doc.recipients.get()
    assert r.delivery == Recipient.Delivery.READ
    body = api_client(d.world.ministry_clerk).get(f"/api/v1/outgoing/{doc.pk}").json()
    (rec,) = body["recipients"]
    assert rec["exchange"]["status_code"] == "06" and rec["exchange"]["label"] == "06 – Hoàn thành"
    page = web_client(d.world.ministry_clerk).get(f"/van-ban-di/{doc.pk}/").content.decode()
    assert "liên thông: 06 – Hoàn thành" in page


# --- Statuses we owe for a document received by exchange ----------------------------------------


def test_incoming_lifecycle_queues_statuses_back_to_the_sender(own_h41: Any, isolated_storage: Any, make_user: Any,
                                                               make_unit: Any) -> None:  # fmt: skip
    from rest_framework.test import APIClient

    from vanban.organisation.roles import Role
    from vanban.workflow import services as workflow

    _partner("000.00.00.G02", name="Bộ Công Thương")
    unit = make_unit("Văn phòng UBND")
    clerk = make_user("vt.na", roles=[Role.MINISTRY_CLERK], unit=unit)
    leader = make_user("ld.na", roles=[Role.MINISTRY_LEADER], unit=unit)
    specialist = make_user("cv.na", roles=[Role.SPECIALIST], unit=unit)
    r = _post(APIClient(), edxml.build_document(simple_message()))
    received = ReceivedMessage.objects.get(pk=r.json()["id"])
    doc = accept_received(actor=clerk, message=received)
    presentation = workflow.present(actor=clerk, document=doc, leader=leader)
    direction = workflow.direct(actor=leader, presentation=presentation, text="Giao xử lý",
                                assignees=[workflow.AssigneeSpec(role="lead", user=specialist,
                                                                 deadline=timezone.localdate() + dt.timedelta(days=5))])
    (assignment,) = direction.assignments.all()
    workflow.report_progress(actor=specialist, assignment=assignment, progress=50, text="Đang làm")
    workflow.complete(actor=specialist, assignment=assignment, result="Xong")
    codes = list(OutboxMessage.objects.filter(kind="status").order_by("pk").values_list("status_code", flat=True))
    assert codes == ["01", "03", "04", "05", "06"]
    sent = edxml.parse(storage_bytes(OutboxMessage.objects.get(status_code="06")))
    assert isinstance(sent, StatusMessage)
    assert (sent.from_organ.organ_id, sent.response_for.organ_id) == ("000.00.00.H41", "000.00.00.G02")
    assert sent.response_for.document_id == received.document_id


# --- Watched folder ---------------------------------------------------------------------------


def test_folder_in_is_taken_in_and_moved(own_h41: Any, isolated_storage: Any, tmp_path: Path) -> None:
    root = tmp_path / "bo-cong-thuong"
    (root / "in").mkdir(parents=True)
    _partner("000.00.00.G02", name="Bộ Công Thương", transport="folder", endpoint=str(root))
    good = edxml.build_document(simple_message())
    (root / "in" / "van-ban.edxml").write_bytes(good)
    (root / "in" / "lap-lai.edxml").write_bytes(good)
    (root / "in" / "hong.edxml").write_bytes(b"<edXML>hong")
    wrong = edxml.build_document(simple_message(from_organ=OrganInfo(organ_id="000.00.00.H29", organ_name="Hà Tĩnh")))
    (root / "in" / "gia-mao.edxml").write_bytes(wrong)
    (root / "in" / "ghi-chu.txt").write_text("không phải edXML")
    run = scan_folders(min_age=0)
    assert run.as_dict() == {"taken": 1, "duplicates": 1, "errors": 2}
    assert sorted(p.name for p in (root / "done").iterdir()) == ["lap-lai.edxml", "van-ban.edxml"]
    assert "sender_mismatch" in (root / "error" / "gia-mao.edxml.error.txt").read_text()
    assert (root / "error" / "hong.edxml.error.txt").exists()
    assert [p.name for p in (root / "in").iterdir()] == ["ghi-chu.txt"]
    assert ReceivedMessage.objects.filter(kind="edoc").count() == 1
    # The status 01 owed goes out through the same folder, written atomically.
    assert outbox.deliver_due().sent == 1
    (out,) = (root / "out").iterdir()
    assert out.suffix == ".edxml" and edxml.parse(out.read_bytes()).status_code == "01"


def test_deliver_command(own_h41: Any, isolated_storage: Any, tmp_path: Path) -> None:
    import json

    from django.core.management import call_command

    root = tmp_path / "bo"
    (root / "in").mkdir(parents=True)
    _partner("000.00.00.G02", name="Bộ Công Thương", transport="folder", endpoint=str(root))
    (root / "in" / "a.edxml").write_bytes(edxml.build_document(simple_message()))
    from io import StringIO

    out = StringIO()
    call_command("exchange", "deliver", stdout=out)
    assert json.loads(out.getvalue())["folders"] == {"taken": 1, "duplicates": 0, "errors": 0}
    out = StringIO()
    call_command("exchange", "deliver", stdout=out)
    assert json.loads(out.getvalue())["outbox"]["sent"] == 1


def test_clerk_page_accepts_and_refuses_received_documents(own_h41: Any, isolated_storage: Any, make_user: Any,
                                                           make_unit: Any, web_client: Any) -> None:  # fmt: skip
    from rest_framework.test import APIClient

    from vanban.organisation.roles import Role

    _partner("000.00.00.G02", name="Bộ Công Thương")
    clerk = make_user("vt.trang", roles=[Role.MINISTRY_CLERK], unit=make_unit("Văn phòng"))
    client = APIClient()
    first = _post(client, edxml.build_document(simple_message())).json()["id"]
    second = _post(client, edxml.build_document(simple_message(document_id="000.00.00.G02,2026/03/05,126/BCT-XNK",
                                                               code_number="126"))).json()["id"]  # fmt: skip
    web = web_client(clerk)
    page = web.get("/van-ban-lien-thong/").content.decode()
    assert "Tiếp nhận, vào sổ" in page and "125/BCT-XNK" in page and "126/BCT-XNK" in page
    r = web.post(f"/van-ban-lien-thong/{first}/tiep-nhan/")
    received = ReceivedMessage.objects.get(pk=first)
    assert received.status == "registered" and r.url == f"/van-ban-den/{received.incoming_id}/"
    web.post(f"/van-ban-lien-thong/{second}/tu-choi/", {"reason": "Gửi nhầm cơ quan"})
    assert ReceivedMessage.objects.get(pk=second).refusal_reason == "Gửi nhầm cơ quan"
    codes = sorted(OutboxMessage.objects.filter(kind="status").values_list("status_code", flat=True))
    assert codes == ["01", "01", "02", "03"]
    assert web_client(make_user("cv.khac")).get("/van-ban-lien-thong/").status_code == 403


def test_a_worker_killed_mid_send_leaves_the_row_to_be_claimed_again(own_h41: Any, isolated_storage: Any,
                                                                      tmp_path: Path) -> None:  # fmt: skip
    from vanban.exchange.models import ReceivedMessage as Received

    root = tmp_path / "bo"
    _partner("000.00.00.G02", name="Bộ Công Thương", transport="folder", endpoint=str(root))
    (root / "in").mkdir(parents=True)
    (root / "in" / "a.edxml").write_bytes(edxml.build_document(simple_message()))
    scan_folders(min_age=0)
    row = OutboxMessage.objects.get()
    now = timezone.now()
    assert outbox._claim(row.pk, now)  # a worker claims it and dies before recording anything
    assert not outbox._claim(row.pk, now)  # nobody else takes it while the lease runs
    assert outbox.deliver_due(now=now).as_dict() == {"sent": 0, "failed": 0, "dead": 0}
    later = now + outbox.lease() + dt.timedelta(seconds=1)
    assert outbox.deliver_due(now=later).sent == 1
    row.refresh_from_db()
    assert row.state == "sent" and row.attempts == 1
    assert len(list((root / "out").glob("*.edxml"))) == 1  # same message id: same file
    assert Received.objects.count() == 1
