"""From the database to edXML values: an issued outgoing document as a document message,
organs as `OrganInfo`, and the status messages the transport sends back.

What the standard leaves open is kept in one place here and in settings:
- `DocumentType/Type` and `TypeDetail`: the samples write 1 and 0 for a Công văn and 1
  for a Thông tư; the code lists are unverified, receivers map by `TypeName`.
- `Priority` ↔ urgency: VANBAN_EDXML_PRIORITY (default 0 thường, 1 khẩn, 2 thượng khẩn,
  3 hỏa tốc, the usual reading; unverified).
- `PromulgationInfo/Place`: VANBAN_ISSUING_PLACE (default "Hà Nội").
- `SignerInfo/Competence`: the ND30 prefix and the head's title, VANBAN_HEAD_TITLE
  (default "BỘ TRƯỞNG"): "KT. BỘ TRƯỞNG".
- An update's `BussinessDocumentInfo` flags (unverified): DocumentInfo 1 (the document
  changed), DocumentReceiver 0 (the receivers did not), every receiver ReceiverType 0.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone

from vanban.documents import storage
from vanban.documents.catalogue import Urgency
from vanban.exchange.errors import EdxmlError
from vanban.exchange.messages import (
    BUSINESS_NEW,
    BUSINESS_REPLACE,
    BUSINESS_REVOKE,
    BUSINESS_UPDATE,
    STATUS_DESCRIPTIONS,
    VIETNAM,
    Attachment,
    Business,
    BusinessDocumentInfo,
    EdocMessage,
    OrganInfo,
    OtherInfo,
    Receiver,
    ReplacementInfo,
    ResponseFor,
    SignerInfo,
    StaffInfo,
    StatusMessage,
    TraceHeader,
    document_identifier,
    is_standard_organ_id,
)

DOCUMENT_TYPE_CODE = 1
DOCUMENT_TYPE_DETAIL = 0
DEFAULT_PRIORITY = {Urgency.NORMAL: 0, Urgency.KHAN: 1, Urgency.THUONG_KHAN: 2, Urgency.HOA_TOC: 3}
BUSINESS_REASONS = {
    BUSINESS_NEW: "Văn bản điện tử mới",
    BUSINESS_REVOKE: "Thu hồi văn bản điện tử",
    BUSINESS_UPDATE: "Cập nhật văn bản điện tử",
    BUSINESS_REPLACE: "Văn bản thay thế",
}
PREFIXED_AUTHORITIES = {"TM", "Q", "KT", "TL", "TUQ"}


def priority_map() -> dict[str, int]:
    return {**DEFAULT_PRIORITY, **getattr(settings, "VANBAN_EDXML_PRIORITY", {})}


def priority_for(urgency: str) -> int:
    return priority_map().get(urgency, 0)


def urgency_for(priority: int | None) -> str:
    """The urgency a received Priority means; unknown values are read as normal."""
    for urgency, value in priority_map().items():
        if value == priority:
            return str(urgency)
    return str(Urgency.NORMAL)


def now_vietnam() -> dt.datetime:
    """Second precision: edXML timestamps carry no fraction, so what we keep equals what we send."""
    return timezone.now().astimezone(VIETNAM).replace(microsecond=0)


def organ_info(organ: Any) -> OrganInfo:
    return OrganInfo(
        organ_id=organ.organ_id or "",
        organization_in_charge=organ.name,
        organ_name=organ.name,
        organ_add=organ.address,
        email=organ.email,
        telephone=organ.telephone,
        fax="",
        website=organ.website,
    )


def staff_info(user: Any) -> StaffInfo | None:
    if user is None:
        return None
    from vanban.organisation.models import Unit
    from vanban.organisation.selectors import primary_unit_id

    unit_id = primary_unit_id(user)
    department = Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first() if unit_id else None
    return StaffInfo(department=department or "", staff=user.full_name or user.get_username(), email=user.email or "",
                     mobile=getattr(user, "phone", "") or "")  # fmt: skip


def identifier_of(doc: Any) -> str:
    """Mã định danh of an issued outgoing document: `OrganId,yyyy/MM/dd,Number/Notation`."""
    return document_identifier(doc.organ.organ_id or "", doc.issued_date, doc.number_symbol)


def _competence(doc: Any) -> str:
    if doc.signing_authority in PREFIXED_AUTHORITIES:
        head = getattr(settings, "VANBAN_HEAD_TITLE", "BỘ TRƯỞNG")
        return f"{doc.signing_authority}. {head}"
    return (doc.signer_position or "").upper()


def _places(text: str) -> list[str]:
    return [part.strip(" .") for part in re.split(r"[;\n]+", text or "") if part.strip(" .")]


def _external_organs(doc: Any) -> list[Any]:
    return [r.organ for r in doc.recipients.select_related("organ").filter(organ__isnull=False).order_by("pk")]


def _response_for(doc: Any) -> list[ResponseFor]:
    incoming = doc.reply_to
    if incoming is None:
        return []
    from vanban.exchange.models import ReceivedMessage

    received = ReceivedMessage.objects.filter(incoming=incoming).order_by("pk").first()
    if received is not None:
        return [
            ResponseFor(organ_id=received.from_organ_id, code=incoming.number_symbol,
                        promulgation_date=received.promulgation_date or incoming.issued_date,
                        document_id=received.document_id)
        ]  # fmt: skip
    organ_id = incoming.issuing_organ.organ_id or ""
    if not is_standard_organ_id(organ_id):
        return []  # a paper document from an organ without an id: nothing a receiver could match
    return [
        ResponseFor(organ_id=organ_id, code=incoming.number_symbol, promulgation_date=incoming.issued_date,
                    document_id=document_identifier(organ_id, incoming.issued_date, incoming.number_symbol))
    ]  # fmt: skip


def _business(doc: Any, to_organs: list[OrganInfo]) -> Business:
    from vanban.outgoing.models import OutgoingDocument

    staff = staff_info(doc.issued_by)
    if doc.status == OutgoingDocument.Status.RECALLED:
        # As the revocation sample: no Bussiness/DocumentId, the header's is the recalled one.
        reason = doc.recall_reason or BUSINESS_REASONS[BUSINESS_REVOKE]
        return Business(business_doc_type=BUSINESS_REVOKE, reason=reason, paper=0, staff=staff)
    old = doc.relates_to
    if doc.relation == OutgoingDocument.Relation.UPDATE and old is not None and old.is_issued:
        return Business(
            business_doc_type=BUSINESS_UPDATE, document_id=identifier_of(old),
            reason=BUSINESS_REASONS[BUSINESS_UPDATE], paper=0, staff=staff,
            document_info=BusinessDocumentInfo(
                document_info="1", document_receiver="0",
                receivers=[Receiver(organ_id=o.organ_id, receiver_type=0) for o in to_organs],
            ),
        )  # fmt: skip
    if doc.relation == OutgoingDocument.Relation.REPLACE and old is not None and old.is_issued:
        organ_ids = [o.organ_id for o in _external_organs(old) if o.organ_id]
        return Business(
            business_doc_type=BUSINESS_REPLACE, reason=BUSINESS_REASONS[BUSINESS_REPLACE], paper=0, staff=staff,
            replacements=[ReplacementInfo(document_id=identifier_of(old), organ_ids=organ_ids)],
        )  # fmt: skip
    return Business(business_doc_type=BUSINESS_NEW, reason=BUSINESS_REASONS[BUSINESS_NEW], paper=0, staff=staff)


def message_from_outgoing(doc: Any, *, to: list[Any] | None = None, now: dt.datetime | None = None) -> EdocMessage:
    """The document message for an issued (or recalled: BussinessDocType 1) outgoing
    document, addressed to `to` (Organ rows) or to all its external recipients. The
    file is the ISSUED version's PDF (signed, numbered, sealed)."""
    from vanban.outgoing.models import Version

    if not doc.is_issued or doc.number is None or doc.issued_date is None:
        raise EdxmlError("not_issued", "Chỉ gửi liên thông được văn bản đã ban hành (đã có số và ngày).", "document")
    if doc.restricted:
        raise EdxmlError(
            "restricted", "Văn bản hạn chế công bố không được gửi liên thông (Quyết định 2226/QĐ-BCT).", "document"
        )
    if not is_standard_organ_id(doc.organ.organ_id or ""):
        raise EdxmlError(
            "invalid_organ_id",
            f"Cơ quan ban hành «{doc.organ.name}» chưa có mã định danh đúng dạng 000.00.00.G02: chưa gửi liên thông được.",
            "From/OrganId",
        )
    organs = list(to) if to is not None else _external_organs(doc)
    if not organs:
        raise EdxmlError("no_recipients", "Văn bản không có cơ quan nhận bên ngoài để gửi liên thông.", "To")
    for organ in organs:
        if not is_standard_organ_id(organ.organ_id or ""):
            raise EdxmlError(
                "invalid_organ_id",
                f"Cơ quan nhận «{organ.name}» chưa có mã định danh đúng dạng 000.00.00.G02: chưa gửi liên thông được.",
                "To/OrganId",
            )
    version = doc.versions.select_related("file").filter(kind=Version.Kind.ISSUED).order_by("-number").first()
    if version is None:
        raise EdxmlError("no_issued_file", "Văn bản chưa có bản ban hành (PDF đã ký số) để gửi.", "document")
    with storage.open_blob(version.file.sha256) as fh:
        data = fh.read()
    to_organs = [organ_info(o) for o in organs]
    stamp = (now or now_vietnam()).astimezone(VIETNAM).replace(microsecond=0)
    page_amount = doc.page_amount or version.file.page_count
    return EdocMessage(
        from_organ=organ_info(doc.organ),
        to_organs=to_organs,
        document_id=identifier_of(doc),
        code_number=f"{doc.number:02d}",
        code_notation=doc.code_notation,
        promulgation_place=getattr(settings, "VANBAN_ISSUING_PLACE", "Hà Nội"),
        promulgation_date=doc.issued_date,
        document_type=DOCUMENT_TYPE_CODE,
        document_type_detail=DOCUMENT_TYPE_DETAIL,
        document_type_name=doc.document_type.base_name,
        subject=doc.subject,
        content=doc.subject,
        signer=SignerInfo(
            competence=_competence(doc),
            position=doc.signer_position,
            full_name=(doc.signer.full_name if doc.signer else ""),
        ),
        other=OtherInfo(priority=priority_for(doc.urgency), page_amount=page_amount, direction=False),
        response_for=_response_for(doc),
        to_places=_places(doc.to_places),
        trace_headers=[TraceHeader(organ_id=doc.organ.organ_id, timestamp=stamp)],
        business=_business(doc, to_organs),
        attachments=[
            Attachment(
                content_id=str(uuid.UUID(hex=version.file.sha256[:32])),
                name=version.file_name,
                description=version.file_name,
                content_type=version.file.content_type,
                data=data,
            )
        ],
    )


def status_message(
    *,
    organ: Any,
    response_for: ResponseFor,
    code: str,
    description: str = "",
    staff: StaffInfo | None = None,
    at: dt.datetime | None = None,
) -> StatusMessage:
    """A status message from `organ` (an Organ row) about the document `response_for`."""
    return StatusMessage(
        from_organ=organ_info(organ),
        response_for=response_for,
        status_code=code,
        description=description or STATUS_DESCRIPTIONS.get(code, ""),
        timestamp=(at or now_vietnam()).astimezone(VIETNAM).replace(microsecond=0),
        staff=staff,
    )


def response_for_received(received: Any) -> ResponseFor:
    """What a status about a received document names: the sender, its code and date."""
    code = "/".join(part for part in (received.code_number, received.code_notation) if part)
    return ResponseFor(organ_id=received.from_organ_id, code=code, promulgation_date=received.promulgation_date,
                       document_id=received.document_id)  # fmt: skip


def status_for_received(received: Any, code: str, *, description: str = "", actor: Any = None,
                        at: dt.datetime | None = None) -> StatusMessage:  # fmt: skip
    """The status message our organ owes the sender of `received` (01 on arrival, 02
    refused, 03 registered, ...), ready for `edxml.build_status`."""
    from vanban.organisation.selectors import own_organ

    organ = received.to_organ or own_organ()
    if organ is None:
        raise EdxmlError("no_own_organ", "Chưa khai báo cơ quan sử dụng hệ thống (mã định danh) để gửi trạng thái.")
    return status_message(organ=organ, response_for=response_for_received(received), code=code,
                          description=description, staff=staff_info(actor), at=at)  # fmt: skip


def status_for_outgoing(doc: Any, organ: Any, code: str, *, description: str = "", actor: Any = None,
                        at: dt.datetime | None = None) -> StatusMessage:  # fmt: skip
    """A status the sender of an issued document sends one of its recipients (`organ`),
    e.g. 13, asking for the document back (as status_cancellation_13.edxml: From is
    the sender, ResponseFor/OrganId the recipient)."""
    if not doc.is_issued or doc.number is None or doc.issued_date is None:
        raise EdxmlError("not_issued", "Văn bản chưa ban hành.", "document")
    response_for = ResponseFor(organ_id=organ.organ_id or "", code=doc.number_symbol,
                               promulgation_date=doc.issued_date, document_id=identifier_of(doc))  # fmt: skip
    return status_message(organ=doc.organ, response_for=response_for, code=code, description=description,
                          staff=staff_info(actor), at=at)  # fmt: skip
