"""The edXML messages (QCVN 102:2016/BTTTT) as plain values: what `edxml.parse` returns
and what `edxml.build_document` / `edxml.build_status` write.

Field names follow the standard's elements (`organization_in_charge` is
`OrganizationInCharge`, `typer_notation` is `TyperNotation`, `business` is the
`Bussiness` block). Text is NFC and trimmed; dates (`PromulgationDate`, `DueDate`) are
`datetime.date`; timestamps are aware datetimes in Vietnam time (+07:00). Integers the
standard leaves open (`Type`, `SteeringType`, `Priority`) are kept as read, None when
absent. `warnings` lists, in Vietnamese, the real-traffic quirks the parser survived
(junk before the XML declaration, a non-standard organ id, text that was not NFC); it
takes no part in equality, so `parse(build(m)) == m`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any, ClassVar

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ORGAN_ID_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")

# BussinessDocType (the double "s" is the standard's spelling).
BUSINESS_NEW, BUSINESS_REVOKE, BUSINESS_UPDATE, BUSINESS_REPLACE = 0, 1, 2, 3
BUSINESS_LABELS: dict[int, str] = {
    BUSINESS_NEW: "văn bản mới",
    BUSINESS_REVOKE: "thu hồi",
    BUSINESS_UPDATE: "cập nhật",
    BUSINESS_REPLACE: "thay thế",
}

# The status codes of domain.md §7.6; no others exist in the sources, so an unknown
# code is kept raw (with a warning), never mapped.
STATUS_LABELS: dict[str, str] = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Phân công xử lý",
    "05": "Đang xử lý",
    "06": "Hoàn thành",
    "13": "Yêu cầu lấy lại",
    "15": "Đồng ý cập nhật, lấy lại",
    "16": "Từ chối cập nhật, lấy lại",
}
# What our status messages say when the caller gives no description (the samples'
# wording, without the sender-specific prefix).
STATUS_DESCRIPTIONS: dict[str, str] = {
    "01": "Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
    "02": "Từ chối không tiếp nhận văn bản điện tử",
    "03": "Tiếp nhận văn bản điện tử, vào sổ văn bản đến",
    "04": "Phân công xử lý",
    "05": "Đang xử lý văn bản đến",
    "06": "Hoàn thành xử lý văn bản đến",
    "13": "Yêu cầu lấy lại văn bản điện tử",
    "15": "Đồng ý yêu cầu cập nhật, lấy lại",
    "16": "Từ chối yêu cầu cập nhật, lấy lại",
}


_CID = re.compile(r"^\s*<?\s*(?:cid:)?\s*(.*?)\s*>?\s*$", re.IGNORECASE | re.DOTALL)


def qname(name: str) -> str:
    """An element of the QCVN 102 namespace, as lxml names it ("{uri}local")."""
    return f"{{{NS}}}{name}"


def strip_cid(value: str) -> str:
    """A ContentId without its optional "cid:" and angle brackets: both sides of the
    manifest ↔ attachment link are compared this way."""
    match = _CID.match(value)
    return match.group(1) if match else value.strip()


def is_standard_organ_id(value: str) -> bool:
    return bool(ORGAN_ID_RE.match(value or ""))


def document_identifier(organ_id: str, date: dt.date, code: str) -> str:
    """Mã định danh văn bản as the samples write it: `OrganId,yyyy/MM/dd,Number/Notation`
    (domain.md §4.2)."""
    return f"{organ_id},{date:%Y/%m/%d},{code}"


def join_code(number: str, notation: str) -> str:
    if number and notation:
        return f"{number}/{notation}"
    return number or notation


@dataclass
class OrganInfo:
    """`From`, `To`: the organ (cơ quan) with its contact details."""

    organ_id: str = ""
    organization_in_charge: str = ""
    organ_name: str = ""
    organ_add: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""

    @property
    def name(self) -> str:
        return self.organ_name or self.organization_in_charge


@dataclass
class SignerInfo:
    competence: str = ""  # "TL. BỘ TRƯỞNG"
    position: str = ""
    full_name: str = ""


@dataclass
class OtherInfo:
    priority: int | None = None
    sphere_of_promulgation: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: bool | None = None
    appendixes: list[str] = field(default_factory=list)


@dataclass
class ResponseFor:
    """The document a message answers (a document's `ResponseFor`, a status's subject)."""

    organ_id: str = ""
    code: str = ""  # "7816/VPCP-TTĐT"
    promulgation_date: dt.date | None = None
    document_id: str = ""


@dataclass
class StaffInfo:
    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass
class TraceHeader:
    organ_id: str = ""
    timestamp: dt.datetime | None = None


@dataclass
class Receiver:
    organ_id: str = ""
    receiver_type: int | None = None


@dataclass
class BusinessDocumentInfo:
    """`BussinessDocumentInfo` of an update (semantics of the flags unverified)."""

    document_info: str = ""
    document_receiver: str = ""
    receivers: list[Receiver] = field(default_factory=list)


@dataclass
class ReplacementInfo:
    document_id: str = ""
    organ_ids: list[str] = field(default_factory=list)


@dataclass
class Business:
    """`TraceHeaderList/Bussiness`: new (0), revoke (1), update (2), replace (3).
    `document_id` is `Bussiness/DocumentId` as written ("" when absent, as in the
    revocation sample: the header's DocumentId then applies)."""

    business_doc_type: int = BUSINESS_NEW
    document_id: str = ""
    reason: str = ""
    paper: int | None = None
    document_info: BusinessDocumentInfo | None = None
    replacements: list[ReplacementInfo] = field(default_factory=list)
    staff: StaffInfo | None = None


@dataclass
class Attachment:
    """One `AttachmentEncoded/Attachment`. `data` is the payload as transferred (base64
    decoded); when that payload is a ZIP wrapper around one file (VNPT zips every
    attachment, naming the entry with a random UUID), `unwrapped` holds that file and
    `content` returns it. `manifest_content_type` is set only when the manifest
    disagrees with the attachment's own ContentType."""

    content_id: str  # without "cid:"
    name: str
    data: bytes
    content_type: str = ""
    description: str = ""
    manifest_content_type: str = ""
    unwrapped: bytes | None = None
    unwrapped_name: str = field(default="", compare=False)

    @property
    def content(self) -> bytes:
        return self.data if self.unwrapped is None else self.unwrapped

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def summary(self) -> dict[str, Any]:
        return {
            "content_id": self.content_id,
            "name": self.name,
            "description": self.description,
            "content_type": self.content_type,
            "transfer_size": len(self.data),
            "zipped": self.unwrapped is not None,
            "size": self.size,
            "sha256": self.sha256,
        }


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(VIETNAM).isoformat()
    return value.isoformat()


@dataclass
class EdocMessage:
    """A document message (messagetype `edoc`)."""

    kind: ClassVar[str] = "edoc"

    from_organ: OrganInfo
    to_organs: list[OrganInfo] = field(default_factory=list)
    document_id: str = ""
    code_number: str = ""
    code_notation: str = ""
    promulgation_place: str = ""
    promulgation_date: dt.date | None = None
    document_type: int | None = None  # DocumentType/Type
    document_type_detail: int | None = None  # DocumentType/TypeDetail
    document_type_name: str = ""  # DocumentType/TypeName
    subject: str = ""
    content: str = ""
    signer: SignerInfo = field(default_factory=SignerInfo)
    due_date: dt.date | None = None
    other: OtherInfo = field(default_factory=OtherInfo)
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: int | None = None
    to_places: list[str] = field(default_factory=list)
    trace_headers: list[TraceHeader] = field(default_factory=list)
    business: Business | None = None
    attachments: list[Attachment] = field(default_factory=list)
    has_signature: bool = field(default=False, compare=False)
    warnings: list[str] = field(default_factory=list, compare=False)

    @property
    def code(self) -> str:
        return join_code(self.code_number, self.code_notation)

    @property
    def business_doc_type(self) -> int:
        return self.business.business_doc_type if self.business else BUSINESS_NEW

    @property
    def referenced_document_id(self) -> str:
        """The document an update/replacement/revocation is about: `Bussiness/DocumentId`,
        else the first `ReplacementInfo`, else (revocation sample) the header's."""
        if self.business is None or self.business.business_doc_type == BUSINESS_NEW:
            return ""
        if self.business.document_id:
            return self.business.document_id
        if self.business.replacements:
            return self.business.replacements[0].document_id
        return self.document_id

    def summary(self) -> dict[str, Any]:
        """JSON-ready (ISO 8601 with +07:00), without attachment bytes."""
        return {
            "kind": self.kind,
            "from": vars(self.from_organ).copy(),
            "to": [vars(o).copy() for o in self.to_organs],
            "document_id": self.document_id,
            "code_number": self.code_number,
            "code_notation": self.code_notation,
            "promulgation_place": self.promulgation_place,
            "promulgation_date": _iso(self.promulgation_date),
            "document_type": {
                "type": self.document_type,
                "type_detail": self.document_type_detail,
                "type_name": self.document_type_name,
            },
            "subject": self.subject,
            "content": self.content,
            "signer": vars(self.signer).copy(),
            "due_date": _iso(self.due_date),
            "other": {**vars(self.other), "appendixes": list(self.other.appendixes)},
            "response_for": [{**vars(r), "promulgation_date": _iso(r.promulgation_date)} for r in self.response_for],
            "steering_type": self.steering_type,
            "to_places": list(self.to_places),
            "trace_headers": [{"organ_id": t.organ_id, "timestamp": _iso(t.timestamp)} for t in self.trace_headers],
            "business": _business_summary(self.business),
            "attachments": [a.summary() for a in self.attachments],
            "has_signature": self.has_signature,
            "warnings": list(self.warnings),
        }


def _business_summary(business: Business | None) -> dict[str, Any] | None:
    if business is None:
        return None
    info = business.document_info
    return {
        "business_doc_type": business.business_doc_type,
        "label": BUSINESS_LABELS.get(business.business_doc_type, ""),
        "document_id": business.document_id,
        "reason": business.reason,
        "paper": business.paper,
        "document_info": None
        if info is None
        else {
            "document_info": info.document_info,
            "document_receiver": info.document_receiver,
            "receivers": [vars(r).copy() for r in info.receivers],
        },
        "replacements": [{"document_id": r.document_id, "organ_ids": list(r.organ_ids)} for r in business.replacements],
        "staff": None if business.staff is None else vars(business.staff).copy(),
    }


@dataclass
class StatusMessage:
    """A status message (messagetype `status`): no To, body, signature or trace; the
    addressee is `response_for.organ_id`."""

    kind: ClassVar[str] = "status"

    from_organ: OrganInfo
    response_for: ResponseFor
    status_code: str
    description: str = ""
    timestamp: dt.datetime | None = None
    staff: StaffInfo | None = None
    warnings: list[str] = field(default_factory=list, compare=False)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status_code, "")

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "from": vars(self.from_organ).copy(),
            "response_for": {**vars(self.response_for), "promulgation_date": _iso(self.response_for.promulgation_date)},
            "status_code": self.status_code,
            "status_label": self.status_label,
            "description": self.description,
            "timestamp": _iso(self.timestamp),
            "staff": None if self.staff is None else vars(self.staff).copy(),
            "warnings": list(self.warnings),
        }


Message = EdocMessage | StatusMessage
