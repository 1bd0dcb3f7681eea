"""Receiving messages (stored once, status 01), accepting them into the incoming register
(status 03) and refusing them (status 02)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from vanban.audit.models import AuditEvent
from vanban.core.errors import PermissionDenied
from vanban.documents import storage
from vanban.documents.errors import DocumentError
from vanban.documents.models import StoredFile
from vanban.documents.tests.docs_world import World, pdf_bytes
from vanban.exchange import edxml
from vanban.exchange.errors import EdxmlError, ExchangeError, WrongState
from vanban.exchange.export import status_for_received
from vanban.exchange.models import ReceivedMessage, ReceivedMessageEvent
from vanban.exchange.services import accept_received, receive_message, refuse_received
from vanban.exchange.tests.conftest import FAMILY_7816, STATUS_FILES, VALID_FILES, sample, simple_message
from vanban.incoming.models import IncomingDocument, IncomingEvent
from vanban.organisation.models import Organ

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (ReceivedMessage.objects.count(), StoredFile.objects.count(), AuditEvent.objects.count(),
            ReceivedMessageEvent.objects.count())  # fmt: skip


@pytest.mark.parametrize("name", VALID_FILES)
def test_every_valid_sample_imports_once(name: str, organ: Organ, isolated_storage: Any) -> None:
    data = sample(name)
    received = receive_message(actor=None, data=data, any_recipient=True)
    row = received.row
    assert received.created
    assert row.message_hash == row.raw.sha256
    assert storage.read_blob(row.raw.sha256) == data  # raw bytes kept, junk and CRLF included
    assert row.raw.content_type == "application/xml"
    message = received.message
    assert row.from_organ_id == message.from_organ.organ_id
    assert row.summary["kind"] == row.kind == message.kind
    assert row.to_organ is None  # none of the samples is addressed to the ministry
    if row.kind == ReceivedMessage.Kind.EDOC:
        assert (row.document_id, row.code_number, row.code_notation) == (
            message.document_id, message.code_number, message.code_notation)
        assert row.promulgation_date == message.promulgation_date
        assert row.business_doc_type == message.business_doc_type
        assert row.summary["attachments"][0]["sha256"] == message.attachments[0].sha256
        assert list(row.events.values_list("status_code", flat=True)) == ["01"]
    else:
        assert row.status_code == STATUS_FILES[name]
        assert not row.events.exists()
    if name in (*FAMILY_7816, "status_cancellation_13.edxml"):
        # A revocation, update, replacement or take-back about a document never received.
        (unmatched,) = row.warnings[len(message.warnings):]
        assert "không tìm thấy văn bản này" in unmatched and row.change_request.state == "unmatched"
    else:
        assert row.warnings == message.warnings
    assert AuditEvent.objects.filter(action="exchange.received", target_id=str(row.pk)).count() == 1
    before = _counts()
    again = receive_message(actor=None, data=data, any_recipient=True)
    assert (again.row.pk, again.created) == (row.pk, False)
    assert _counts() == before


def test_the_same_message_in_other_bytes_is_stored_once(organ: Organ, isolated_storage: Any) -> None:
    data = sample("edoc_update.edxml")
    first = receive_message(actor=None, data=data, any_recipient=True)
    relaid = data.replace(b"\r\n", b"\n")  # a gateway that rewrites line ends
    assert relaid != data
    second = receive_message(actor=None, data=relaid, any_recipient=True)
    assert (second.row.pk, second.created) == (first.row.pk, False)
    assert ReceivedMessage.objects.count() == 1


def test_a_revocation_is_not_mistaken_for_the_document_it_revokes(organ: Organ, isolated_storage: Any) -> None:
    """Same sender and DocumentId, business type 1 instead of 3: two messages."""
    replacement = receive_message(actor=None, data=sample("edoc_replacement.edxml"), any_recipient=True)
    revocation = receive_message(actor=None, data=sample("edoc_revocation.edxml"), any_recipient=True)
    assert revocation.created and revocation.row.pk != replacement.row.pk
    assert (replacement.row.business_doc_type, revocation.row.business_doc_type) == (3, 1)


def test_a_message_for_another_organ_is_refused_and_nothing_stored(organ: Organ, isolated_storage: Any) -> None:
    before = _counts()
    with pytest.raises(ExchangeError) as err:
        receive_message(actor=None, data=sample("edoc_replacement.edxml"))
    assert err.value.code == "wrong_recipient"
    assert "000.00.00.H41" in err.value.message and "000.00.00.G02" in err.value.message
    with pytest.raises(ExchangeError) as err:
        receive_message(actor=None, data=sample("status_finish_06.edxml"))  # to G22, not us
    assert (err.value.code, err.value.field) == ("wrong_recipient", "ResponseFor/OrganId")
    assert _counts() == before


def test_a_message_addressed_to_the_own_organ_is_received(organ: Organ, own_h41: Organ, isolated_storage: Any) -> None:
    received = receive_message(actor=None, data=sample("edoc_replacement.edxml"))
    assert received.row.to_organ == own_h41
    status = receive_message(actor=None, data=sample("status_cancellation_13.edxml"))  # 13 from G22 to H41
    assert status.row.to_organ == own_h41 and status.row.status_code == "13"


def test_a_damaged_message_stores_nothing(organ: Organ, isolated_storage: Any) -> None:
    before = _counts()
    with pytest.raises(EdxmlError) as err:
        receive_message(actor=None, data=sample("edoc.edxml"), any_recipient=True)
    assert err.value.code == "unbound_prefix"
    assert _counts() == before
    assert not IncomingDocument.objects.exists()


def test_status_01_for_a_received_document_is_ready_to_send(organ: Organ, own_h41: Organ,
                                                           isolated_storage: Any) -> None:  # fmt: skip
    row = receive_message(actor=None, data=sample("edoc_update.edxml")).row
    status = status_for_received(row, "01")
    data = edxml.build_status(status)
    parsed = edxml.parse(data)
    assert parsed == status
    assert (parsed.from_organ.organ_id, parsed.status_code) == ("000.00.00.H41", "01")
    assert parsed.response_for.organ_id == "000.00.00.G22"
    assert parsed.response_for.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
    assert parsed.response_for.code == "7816/VPCP-TTĐT"


# --- Accept and refuse --------------------------------------------------------------------


def _received(world: World, **overrides: Any) -> ReceivedMessage:
    message = simple_message(to="000.00.00.G02", **overrides)
    return receive_message(actor=None, data=edxml.build_document(message)).row


def test_clerk_accepts_a_received_document_into_the_organ_register(world: World, isolated_storage: Any) -> None:
    pdf = pdf_bytes(pages=2, marker="nhan-lien-thong")
    row = _received(world, pdf=pdf, due_date=dt.date(2099, 1, 31))
    doc = accept_received(actor=world.ministry_clerk, message=row)
    row.refresh_from_db()
    assert (row.status, row.incoming, row.decided_by) == (ReceivedMessage.Status.REGISTERED, doc, world.ministry_clerk)
    assert doc.register.organ == world.organ and doc.arrival_number == 1
    assert doc.receipt_method == "exchange"
    assert (doc.code_number, doc.code_notation, doc.issued_date) == ("125", "BCT-XNK", dt.date(2026, 3, 5))
    assert doc.document_type.code == "cong-van"
    assert doc.issuing_organ.organ_id == "000.00.00.G02"
    assert (doc.signer_name, doc.signer_position) == ("Nguyễn Sinh Nhật Tân", "Thứ trưởng")
    assert doc.due_date == dt.date(2099, 1, 31)
    assert doc.arrival_date == row.received_at
    (link,) = doc.files.all()
    assert (link.name, link.file.kind, link.file.page_count) == ("125-BCT-XNK.pdf", "pdf", 2)
    assert storage.read_blob(link.file.sha256) == pdf
    assert list(doc.events.values_list("kind", flat=True)) == ["received", "registered"]
    assert list(row.events.values_list("status_code", flat=True)) == ["01", "03"]
    assert AuditEvent.objects.filter(action="exchange.accepted", target_id=str(row.pk)).exists()
    with pytest.raises(WrongState) as err:
        accept_received(actor=world.ministry_clerk, message=row)
    assert err.value.code == "already_registered"
    with pytest.raises(WrongState):
        refuse_received(actor=world.ministry_clerk, message=row, reason="Gửi nhầm")


def test_the_sender_organ_is_added_to_the_directory_with_its_id(world: World, isolated_storage: Any) -> None:
    row = _received(world, from_organ=edxml.OrganInfo(organ_id="000.00.00.H41", organ_name="UBND tỉnh Nghệ An",
                                                      organization_in_charge="UBND tỉnh Nghệ An"),
                    document_type_name="Thông tư")  # fmt: skip
    doc = accept_received(actor=world.ministry_clerk, message=row)
    assert (doc.issuing_organ.organ_id, doc.issuing_organ.name) == ("000.00.00.H41", "UBND tỉnh Nghệ An")
    assert doc.document_type.code == "thong-tu"


def test_only_a_clerk_accepts_or_refuses(world: World, isolated_storage: Any) -> None:
    row = _received(world)
    for actor in (world.specialist, world.leader):
        with pytest.raises(PermissionDenied):
            accept_received(actor=actor, message=row)
        with pytest.raises(PermissionDenied):
            refuse_received(actor=actor, message=row, reason="Không đúng thẩm quyền")
    row.refresh_from_db()
    assert row.status == ReceivedMessage.Status.RECEIVED and not IncomingDocument.objects.exists()


def test_an_attachment_that_is_not_what_its_name_says_cannot_be_registered(world: World, own_h41: Organ,
                                                                           isolated_storage: Any) -> None:
    """The 7816 samples carry an edXML file named .doc: registration refuses it clearly,
    nothing changes, and the clerk can refuse the message instead."""
    row = receive_message(actor=None, data=sample(FAMILY_7816[1])).row
    assert row.to_organ == own_h41
    with pytest.raises(DocumentError) as err:
        accept_received(actor=world.ministry_clerk, message=row)
    assert err.value.code == "type_mismatch"
    row.refresh_from_db()
    assert row.status == ReceivedMessage.Status.RECEIVED and not IncomingDocument.objects.exists()
    refused = refuse_received(actor=world.ministry_clerk, message=row, reason="Tệp đính kèm không đúng định dạng")
    assert (refused.status, refused.refusal_reason) == (ReceivedMessage.Status.REFUSED,
                                                        "Tệp đính kèm không đúng định dạng")  # fmt: skip
    assert list(row.events.values_list("status_code", "description")) == [
        ("01", "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý"),
        ("02", "Tệp đính kèm không đúng định dạng"),
    ]
    assert IncomingEvent.objects.filter(kind="refused", document=None).count() == 1
    assert AuditEvent.objects.filter(action="exchange.refused", target_id=str(row.pk)).exists()
    status = edxml.parse(edxml.build_status(status_for_received(row, "02", description=refused.refusal_reason,
                                                                actor=world.ministry_clerk)))  # fmt: skip
    assert (status.status_code, status.description) == ("02", "Tệp đính kèm không đúng định dạng")
    assert status.staff.staff == world.ministry_clerk.full_name
    with pytest.raises(WrongState) as err:
        accept_received(actor=world.ministry_clerk, message=row)
    assert err.value.code == "already_refused"


def test_a_refusal_needs_a_reason(world: World, isolated_storage: Any) -> None:
    row = _received(world)
    with pytest.raises(ExchangeError) as err:
        refuse_received(actor=world.ministry_clerk, message=row, reason="   ")
    assert (err.value.code, err.value.field) == ("required", "reason")


def test_a_status_message_is_neither_accepted_nor_refused(world: World, isolated_storage: Any) -> None:
    row = receive_message(actor=None, data=sample("status_finish_06.edxml"), any_recipient=True).row
    with pytest.raises(WrongState):
        accept_received(actor=world.ministry_clerk, message=row)
    with pytest.raises(WrongState):
        refuse_received(actor=world.ministry_clerk, message=row, reason="x")
