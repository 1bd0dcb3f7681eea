"""Writing edXML exactly as the samples do (see edxml.py for the rules); used through
`edxml.build_document` and `edxml.build_status`."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from lxml import etree

from vanban.exchange import attachments as payloads
from vanban.exchange import timefmt
from vanban.exchange.errors import EdxmlError
from vanban.exchange.messages import (
    BUSINESS_LABELS,
    NS,
    STATUS_LABELS,
    Attachment,
    Business,
    EdocMessage,
    OrganInfo,
    StaffInfo,
    StatusMessage,
    is_standard_organ_id,
    qname,
    strip_cid,
)

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_q = qname

_T = TypeVar("_T")


def _clean(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


class _Writer:
    def __init__(self) -> None:
        self.root = etree.Element(_q("edXML"), nsmap={None: NS})
        self.envelope = etree.SubElement(self.root, _q("edXMLEnvelope"), nsmap={"edXML": NS})
        self.header = etree.SubElement(self.envelope, _q("edXMLHeader"))

    @staticmethod
    def add(parent: Any, name: str, value: Any = None) -> Any:
        element = etree.SubElement(parent, _q(name))
        if value is not None:
            element.text = _clean(value)
        return element

    def optional(self, parent: Any, name: str, value: _T | None, render: Callable[[_T], str] = str) -> None:
        """Integers and dates are omitted rather than written empty (receivers parse them)."""
        if value is not None:
            self.add(parent, name, render(value))

    def organ(self, parent: Any, name: str, organ: OrganInfo, *, status_order: bool = False) -> None:
        element = self.add(parent, name)
        self.add(element, "OrganId", organ.organ_id)
        names = [("OrganizationInCharge", organ.organization_in_charge), ("OrganName", organ.organ_name)]
        for tag, value in reversed(names) if status_order else names:
            self.add(element, tag, value)
        for tag, value in (("OrganAdd", organ.organ_add), ("Email", organ.email), ("Telephone", organ.telephone),
                           ("Fax", organ.fax), ("Website", organ.website)):  # fmt: skip
            self.add(element, tag, value)

    def staff(self, parent: Any, staff: StaffInfo, *, status_order: bool = False) -> None:
        element = self.add(parent, "StaffInfo")
        self.add(element, "Department", staff.department)
        self.add(element, "Staff", staff.staff)
        contact = [("Email", staff.email), ("Mobile", staff.mobile)]
        for tag, value in reversed(contact) if status_order else contact:
            self.add(element, tag, value)

    def tobytes(self) -> bytes:
        try:
            body = etree.tostring(self.root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
        except (ValueError, TypeError) as exc:
            raise EdxmlError("invalid_text", f"Không ghi được edXML: {exc}.") from exc
        return XML_DECLARATION + body


def _require_organ_id(organ_id: str, path: str) -> None:
    if not is_standard_organ_id(_clean(organ_id)):
        raise EdxmlError(
            "invalid_organ_id",
            f"Mã định danh «{organ_id}» ở «{path}» không đúng dạng NNN.NN.NN.XNN (ví dụ 000.00.00.G02): "
            "bên nhận sẽ không nhận.",
            path,
        )


def _build(fill: Callable[[_Writer], None]) -> bytes:
    writer = _Writer()
    try:
        fill(writer)
    except ValueError as exc:  # lxml: control characters or NUL in a value
        raise EdxmlError("invalid_text", f"Không ghi được edXML: giá trị có ký tự điều khiển ({exc}).") from exc
    return writer.tobytes()


def build_document(message: EdocMessage) -> bytes:
    """The document message, element by element as the 7816 samples. Raises EdxmlError
    for what receivers would refuse or misread (non-standard organ ids, no DocumentId,
    no date, an attachment labelled ZIP that is not one)."""
    _check_document(message)
    return _build(lambda w: _fill_document(w, message))


def _check_document(m: EdocMessage) -> None:
    _require_organ_id(m.from_organ.organ_id, "From/OrganId")
    if not m.to_organs:
        raise EdxmlError("missing_field", "Văn bản gửi liên thông phải có ít nhất một cơ quan nhận («To»).", "To")
    for organ in m.to_organs:
        _require_organ_id(organ.organ_id, "To/OrganId")
    if not _clean(m.document_id):
        raise EdxmlError("missing_field", "Thiếu mã định danh văn bản (DocumentId): bên nhận sẽ tự đặt mã khác.",
                         "DocumentId")  # fmt: skip
    if m.promulgation_date is None:
        raise EdxmlError("missing_field", "Thiếu ngày ban hành (PromulgationDate).", "PromulgationInfo/PromulgationDate")
    if not _clean(m.subject):
        raise EdxmlError("missing_field", "Thiếu trích yếu (Subject).", "Subject")
    if not _clean(m.code_number) and not _clean(m.code_notation):
        raise EdxmlError("missing_field", "Thiếu số và ký hiệu văn bản (Code).", "Code")
    if m.business is not None and m.business.business_doc_type not in BUSINESS_LABELS:
        raise EdxmlError("invalid_business_type", "BussinessDocType chỉ nhận 0, 1, 2, 3.", "Bussiness/BussinessDocType")
    seen: set[str] = set()
    for attachment in m.attachments:
        cid = strip_cid(attachment.content_id)
        if not cid or cid in seen:
            raise EdxmlError("duplicate_content_id", f"ContentId «{cid}» trống hoặc bị trùng.", "Attachment/ContentId")
        seen.add(cid)
        if not attachment.data:
            raise EdxmlError("empty_attachment", f"Tệp đính kèm «{attachment.name}» rỗng.", "Attachment")
        if not _clean(attachment.name):
            raise EdxmlError("missing_field", "Tệp đính kèm phải có tên.", "Attachment/AttachmentName")


def _content_type(attachment: Attachment) -> str:
    """application/zip if and only if the payload is a ZIP (what receivers unwrap)."""
    declared = _clean(attachment.content_type) or payloads.guess_content_type(attachment.name, attachment.data)
    zipped = payloads.is_zip(attachment.data)
    if zipped and not payloads.is_zip_based_name(attachment.name) and declared.lower() != payloads.ZIP_CONTENT_TYPE:
        raise EdxmlError(
            "content_type_mismatch",
            f"Tệp đính kèm «{attachment.name}» là tệp nén ZIP nhưng ghi kiểu {declared}: phải ghi application/zip.",
            "Attachment/ContentType",
        )
    if declared.lower() == payloads.ZIP_CONTENT_TYPE and not zipped:
        raise EdxmlError(
            "content_type_mismatch",
            f"Tệp đính kèm «{attachment.name}» ghi kiểu application/zip nhưng không phải tệp ZIP.",
            "Attachment/ContentType",
        )
    return declared


def _fill_document(w: _Writer, m: EdocMessage) -> None:
    mh = w.add(w.header, "MessageHeader")
    w.organ(mh, "From", m.from_organ)
    for organ in m.to_organs:
        w.organ(mh, "To", organ)
    w.add(mh, "DocumentId", m.document_id)
    code = w.add(mh, "Code")
    w.add(code, "CodeNumber", m.code_number)
    w.add(code, "CodeNotation", m.code_notation)
    promulgation = w.add(mh, "PromulgationInfo")
    w.add(promulgation, "Place", m.promulgation_place)
    w.optional(promulgation, "PromulgationDate", m.promulgation_date, timefmt.format_date)
    document_type = w.add(mh, "DocumentType")
    w.optional(document_type, "Type", m.document_type)
    w.optional(document_type, "TypeDetail", m.document_type_detail)
    w.add(document_type, "TypeName", m.document_type_name)
    w.add(mh, "Subject", m.subject)
    w.add(mh, "Content", m.content)
    signer = w.add(mh, "SignerInfo")
    w.add(signer, "Competence", m.signer.competence)
    w.add(signer, "Position", m.signer.position)
    w.add(signer, "FullName", m.signer.full_name)
    w.optional(mh, "DueDate", m.due_date, timefmt.format_date)
    other = w.add(mh, "OtherInfo")
    w.optional(other, "Priority", m.other.priority)
    w.add(other, "SphereOfPromulgation", m.other.sphere_of_promulgation)
    w.add(other, "TyperNotation", m.other.typer_notation)
    w.optional(other, "PromulgationAmount", m.other.promulgation_amount)
    w.optional(other, "PageAmount", m.other.page_amount)
    w.optional(other, "Direction", m.other.direction, lambda v: "true" if v else "false")
    if m.other.appendixes:
        appendixes = w.add(other, "Appendixes")
        for text in m.other.appendixes:
            w.add(appendixes, "Appendix", text)
    for rf in m.response_for:  # the revocation sample's order
        element = w.add(mh, "ResponseFor")
        w.add(element, "OrganId", rf.organ_id)
        w.add(element, "Code", rf.code)
        w.add(element, "DocumentId", rf.document_id)
        w.optional(element, "PromulgationDate", rf.promulgation_date, timefmt.format_date)
    w.optional(mh, "SteeringType", m.steering_type)
    if m.to_places:
        places = w.add(mh, "ToPlaces")
        for place in m.to_places:
            w.add(places, "Place", place)
    if m.trace_headers or m.business is not None:
        traces = w.add(w.header, "TraceHeaderList")
        for trace in m.trace_headers:
            element = w.add(traces, "TraceHeader")
            w.add(element, "OrganId", trace.organ_id)
            w.optional(element, "Timestamp", trace.timestamp, timefmt.format_timestamp)
        if m.business is not None:
            _fill_business(w, traces, m.business)
    manifest = w.add(w.add(w.envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    types = [_content_type(a) for a in m.attachments]
    for attachment, content_type in zip(m.attachments, types, strict=True):
        ref = w.add(manifest, "Reference")
        w.add(ref, "ContentId", f"cid:{strip_cid(attachment.content_id)}")
        w.add(ref, "ContentType", attachment.manifest_content_type or content_type)
        w.add(ref, "Description", attachment.description)
        w.add(ref, "AttachmentName", attachment.name)
    if m.attachments:
        encoded = w.add(w.root, "AttachmentEncoded")
        for attachment, content_type in zip(m.attachments, types, strict=True):
            element = w.add(encoded, "Attachment")
            w.add(element, "ContentId", f"cid:{strip_cid(attachment.content_id)}")
            w.add(element, "AttachmentName", attachment.name)
            w.add(element, "Description", attachment.description)
            w.add(element, "ContentType", content_type)
            payload = etree.SubElement(element, _q("ContentTransferEncoded"), nsmap={"edXML": NS})
            payload.text = payloads.encode_base64(attachment.data)


def _fill_business(w: _Writer, parent: Any, b: Business) -> None:
    element = w.add(parent, "Bussiness")
    if b.document_id:
        w.add(element, "DocumentId", b.document_id)
    w.add(element, "BussinessDocType", b.business_doc_type)
    w.add(element, "BussinessDocReason", b.reason)
    w.optional(element, "Paper", b.paper)
    if b.document_info is not None:
        info = w.add(element, "BussinessDocumentInfo")
        w.add(info, "DocumentInfo", b.document_info.document_info)
        w.add(info, "DocumentReceiver", b.document_info.document_receiver)
        receivers = w.add(info, "ReceiverList")
        for receiver in b.document_info.receivers:
            x = w.add(receivers, "Receiver")
            w.add(x, "OrganId", receiver.organ_id)
            w.optional(x, "ReceiverType", receiver.receiver_type)
    if b.replacements:
        replacements = w.add(element, "ReplacementInfoList")
        for replacement in b.replacements:
            x = w.add(replacements, "ReplacementInfo")
            w.add(x, "DocumentId", replacement.document_id)
            organs = w.add(x, "OrganIdList")
            for organ_id in replacement.organ_ids:
                w.add(organs, "OrganId", organ_id)
    if b.staff is not None:
        w.staff(element, b.staff)


def build_status(message: StatusMessage) -> bytes:
    """The status message as the status samples: From, ResponseFor, StaffInfo,
    StatusCode, Description, Timestamp (no To, body, signature or trace)."""
    m = message
    _require_organ_id(m.from_organ.organ_id, "From/OrganId")
    _require_organ_id(m.response_for.organ_id, "ResponseFor/OrganId")
    if _clean(m.status_code) not in STATUS_LABELS:
        raise EdxmlError(
            "invalid_status_code",
            f"Mã trạng thái «{m.status_code}» không có trong QCVN 102 (01–06, 13, 15, 16).",
            "StatusCode",
        )
    if not _clean(m.response_for.document_id):
        raise EdxmlError("missing_field", "Thiếu mã định danh văn bản (ResponseFor/DocumentId).",
                         "ResponseFor/DocumentId")  # fmt: skip
    if m.timestamp is None:
        raise EdxmlError("missing_field", "Thiếu thời điểm (Timestamp).", "Timestamp")

    def fill(w: _Writer) -> None:
        mh = w.add(w.header, "MessageHeader")
        w.organ(mh, "From", m.from_organ, status_order=True)
        rf = w.add(mh, "ResponseFor")
        w.add(rf, "OrganId", m.response_for.organ_id)
        w.add(rf, "Code", m.response_for.code)
        w.optional(rf, "PromulgationDate", m.response_for.promulgation_date, timefmt.format_date)
        w.add(rf, "DocumentId", m.response_for.document_id)
        if m.staff is not None:
            w.staff(mh, m.staff, status_order=True)
        w.add(mh, "StatusCode", m.status_code)
        w.add(mh, "Description", m.description)
        w.optional(mh, "Timestamp", m.timestamp, timefmt.format_timestamp)

    return _build(fill)


