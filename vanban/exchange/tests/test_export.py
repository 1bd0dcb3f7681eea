"""An issued outgoing document as edXML (build_from_outgoing and `vanban edxml export`):
new, recalled (1), updated (2) and replaced (3) documents, and the message read back
on the receiving side."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from vanban.documents import storage
from vanban.exchange import edxml
from vanban.exchange.edxml import EdocMessage, EdxmlError
from vanban.exchange.export import identifier_of, status_for_outgoing
from vanban.exchange.services import accept_received, receive_message
from vanban.incoming.tests.conftest import ministry_leader  # noqa: F401
from vanban.organisation import services as organisation
from vanban.outgoing import services
from vanban.outgoing.models import OutgoingDocument, Version
from vanban.outgoing.tests.conftest import Desk, desk, docx_bytes  # noqa: F401
from vanban.signatures import samples
from vanban.signatures import services as signatures

pytestmark = pytest.mark.django_db

PASSWORD = "Ky@so2026"


@pytest.fixture
def nghe_an(db: Any) -> Any:
    return organisation.create_organ(actor=None, organ_id="000.00.00.H41", name="UBND tỉnh Nghệ An",
                                     short_name="UBND-NA", address="Số 03, đường Trường Thi, TP Vinh")  # fmt: skip


@pytest.fixture
def signable(desk: Desk) -> Desk:  # noqa: F811
    signatures.init_pki(actor=None)
    signatures.issue_certificate(actor=desk.signer, user=desk.signer, password=PASSWORD)
    return desk


def _issue(desk: Desk, doc: OutgoingDocument) -> OutgoingDocument:  # noqa: F811
    doc = desk.through_review(doc)
    pdf = samples.draft_pdf(signer_name=desk.signer.full_name, type_abbreviation="BCT-XNK", title="CÔNG VĂN")
    services.add_version(actor=desk.world.specialist, document=doc, file=("cong-van.pdf", pdf), comment="Bản cuối")
    services.sign(actor=desk.signer, document=doc, secret=PASSWORD)
    services.issue(actor=desk.world.ministry_clerk, document=doc)
    doc.refresh_from_db()
    return doc


def _issued_pdf(doc: OutgoingDocument) -> bytes:
    version = doc.versions.get(kind=Version.Kind.ISSUED)
    return storage.read_blob(version.file.sha256)


def _read(data: bytes) -> EdocMessage:
    message = edxml.parse(data)
    assert isinstance(message, EdocMessage)
    assert message.warnings == []
    return message


def test_an_issued_document_becomes_the_message_receivers_need(signable: Desk, nghe_an: Any) -> None:
    d = signable
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk), ("unit", d.world.other.pk)],
                                  urgency="khan"))  # fmt: skip
    m = _read(edxml.build_from_outgoing(doc))
    assert (m.from_organ.organ_id, m.from_organ.organ_name) == ("000.00.00.G02", "Bộ Công Thương")
    assert [(o.organ_id, o.organ_name, o.organ_add) for o in m.to_organs] == [
        ("000.00.00.H41", "UBND tỉnh Nghệ An", "Số 03, đường Trường Thi, TP Vinh")]  # internal units are not To
    day = doc.issued_date
    assert m.document_id == f"000.00.00.G02,{day:%Y/%m/%d},01/BCT-XNK" == identifier_of(doc)
    assert (m.code_number, m.code_notation, m.promulgation_date) == ("01", "BCT-XNK", day)
    assert (m.document_type, m.document_type_name) == (1, "Công văn")
    assert m.subject == doc.subject
    assert (m.signer.full_name, m.signer.position, m.signer.competence) == (
        d.signer.full_name, "Thứ trưởng", "KT. BỘ TRƯỞNG")
    assert m.other.priority == 1  # khẩn
    assert m.to_places == ["Như trên", "Lưu: VT, XNK"]
    assert (m.business.business_doc_type, m.business.reason) == (0, "Văn bản điện tử mới")
    assert m.business.staff.staff == d.world.ministry_clerk.full_name
    (trace,) = m.trace_headers
    assert trace.organ_id == "000.00.00.G02" and trace.timestamp.utcoffset() == dt.timedelta(hours=7)
    (a,) = m.attachments
    assert (a.content_type, a.unwrapped) == ("application/pdf", None)
    assert a.content == _issued_pdf(doc) and a.name.endswith(".pdf")
    assert m.other.page_amount == doc.versions.get(kind=Version.Kind.ISSUED).file.page_count


def test_recall_update_and_replace_carry_their_business_type(signable: Desk, nghe_an: Any) -> None:
    d = signable
    first = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    replacement = services.start_correction(actor=d.world.specialist, document=first, relation="replace",
                                            file=("thay-the.docx", docx_bytes("Văn bản thay thế")))  # fmt: skip
    replacement = _issue(d, replacement)
    m = _read(edxml.build_from_outgoing(replacement))
    b = m.business
    assert (b.business_doc_type, b.document_id, b.reason) == (3, "", "Văn bản thay thế")
    assert [(r.document_id, r.organ_ids) for r in b.replacements] == [(identifier_of(first), ["000.00.00.H41"])]
    assert m.referenced_document_id == identifier_of(first)

    update = services.start_correction(actor=d.world.specialist, document=replacement, relation="update",
                                       file=("cap-nhat.docx", docx_bytes("Cập nhật")))  # fmt: skip
    update = _issue(d, update)
    m = _read(edxml.build_from_outgoing(update))
    b = m.business
    assert (b.business_doc_type, b.document_id) == (2, identifier_of(replacement))
    assert [(r.organ_id, r.receiver_type) for r in b.document_info.receivers] == [("000.00.00.H41", 0)]

    request = edxml.parse(edxml.build_status(status_for_outgoing(first, nghe_an, "13", description="Xin lấy lại",
                                                                 actor=d.world.ministry_clerk)))  # fmt: skip
    assert (request.from_organ.organ_id, request.response_for.organ_id, request.status_code) == (
        "000.00.00.G02", "000.00.00.H41", "13")
    assert (request.response_for.document_id, request.response_for.code) == (identifier_of(first), "01/BCT-XNK")
    services.recall(actor=d.world.ministry_clerk, document=first, reason="Ban hành sai thẩm quyền")
    first.refresh_from_db()
    m = _read(edxml.build_from_outgoing(first))
    assert (m.business.business_doc_type, m.business.reason, m.business.document_id) == (
        1, "Ban hành sai thẩm quyền", "")
    assert m.document_id == identifier_of(first) == m.referenced_document_id


def test_what_cannot_be_exchanged_is_refused(signable: Desk, nghe_an: Any) -> None:
    d = signable
    draft = d.draft(recipients=[("organ", nghe_an.pk)])
    with pytest.raises(EdxmlError) as err:
        edxml.build_from_outgoing(draft)
    assert err.value.code == "not_issued"
    internal = _issue(d, d.draft(recipients=[("unit", d.world.other.pk)]))
    with pytest.raises(EdxmlError) as err:
        edxml.build_from_outgoing(internal)
    assert err.value.code == "no_recipients"
    restricted = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)], restricted=True))
    with pytest.raises(EdxmlError) as err:
        edxml.build_from_outgoing(restricted)
    assert err.value.code == "restricted"


def test_export_command_writes_a_file_the_other_side_receives_and_registers(signable: Desk, nghe_an: Any,
                                                                            tmp_path: Path, capsys: Any) -> None:  # fmt: skip
    d = signable
    doc = _issue(d, d.draft(recipients=[("organ", nghe_an.pk)]))
    out = tmp_path / "cong-van.edxml"
    call_command("edxml", "export", "--document", str(doc.pk), "-o", str(out))
    assert "01/BCT-XNK" in capsys.readouterr().out
    data = out.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert _read(data).document_id == identifier_of(doc)
    with pytest.raises(SystemExit) as exit_info:
        call_command("edxml", "export", "--document", str(d.draft().pk), "-o", str(tmp_path / "x.edxml"))
    assert exit_info.value.code == 1
    assert "not_issued" in capsys.readouterr().err
    # Loop back: the ministry's own installation takes it in for the test (--any-recipient)
    # and registers it; the registered file is the issued PDF, byte for byte.
    row = receive_message(actor=None, data=data, any_recipient=True).row
    incoming = accept_received(actor=d.world.ministry_clerk, message=row)
    assert storage.read_blob(incoming.files.get().file.sha256) == _issued_pdf(doc)
    assert (incoming.code_number, incoming.code_notation, incoming.issued_date) == ("01", "BCT-XNK", doc.issued_date)
