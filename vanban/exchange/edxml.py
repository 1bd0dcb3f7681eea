"""edXML (QCVN 102:2016/BTTTT): read and write document and status messages.

    parse(data: bytes) -> EdocMessage | StatusMessage        raises EdxmlError only
    build_document(message: EdocMessage) -> bytes
    build_status(message: StatusMessage) -> bytes
    build_from_outgoing(doc, *, to=None, now=None) -> bytes   (an issued OutgoingDocument)

Reading is hardened: a size limit (VANBAN_EDXML_MAX_MB, 50 MB by default), UTF-8 only,
any DOCTYPE or ENTITY declaration refused before parsing, and lxml with no DTD loading,
no entity resolution and no network. Elements are matched by namespace URI + local
name, never by prefix, and children are read in any order. The standard's spellings
are kept (`Bussiness`, `OrganizationInCharge`, `TyperNotation`, `Appendixes`);
`TimeStamp` is read as `Timestamp`.

Writing follows the samples element by element: the root declares the QCVN namespace
as default, `edXML:edXMLEnvelope` binds the `edXML:` prefix for the header and body,
`AttachmentEncoded/Attachment` are unprefixed and `edXML:ContentTransferEncoded`
declares the prefix again; dates `yyyy/MM/dd` and timestamps `yyyy/MM/dd HH:mm:ss` in
Vietnam time; integers the receivers parse as numbers are omitted rather than empty;
base64 on one line; `application/zip` if and only if the payload is a ZIP.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any

from django.conf import settings
from lxml import etree

from vanban.exchange import attachments as payloads
from vanban.exchange import timefmt
from vanban.exchange.errors import EdxmlError
from vanban.exchange.messages import (
    BUSINESS_LABELS,
    DSIG_NS,
    NS,
    STATUS_LABELS,
    Attachment,
    Business,
    BusinessDocumentInfo,
    EdocMessage,
    Message,
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
    join_code,
    qname,
    strip_cid,
)
from vanban.exchange.writer import build_document, build_status

__all__ = [
    "Attachment",
    "Business",
    "BusinessDocumentInfo",
    "EdocMessage",
    "EdxmlError",
    "Message",
    "OrganInfo",
    "OtherInfo",
    "Receiver",
    "ReplacementInfo",
    "ResponseFor",
    "SignerInfo",
    "StaffInfo",
    "StatusMessage",
    "TraceHeader",
    "build_document",
    "build_from_outgoing",
    "build_status",
    "max_message_bytes",
    "parse",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_MB = 50
MAX_TEXT = 20_000  # any single text field; Content may be longer
MAX_CONTENT = 1_000_000
MAX_ID = 255  # DocumentId, ContentId
MAX_ORGAN_ID = 64
MAX_STATUS_CODE = 10
JUNK_WINDOW = 1024  # how far a declaration is looked for behind junk bytes

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_DECL_START = re.compile(rb"<\?xml[\s?]|<edXML[\s>/]")
_ENCODING = re.compile(rb"^<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DIGITS = re.compile(r"^\d+$")
_INT = re.compile(r"^[+-]?\d{1,9}$")

def _parser(huge: bool = False) -> etree.XMLParser:
    """No DTD, no entities, no network, no processing instructions. libxml2 without
    XML_PARSE_HUGE also refuses any text node above 10 MB, i.e. every attachment above
    ~7.5 MB although messages may reach 50 MB; for that error only (see _xml) the same
    bytes, already checked (UTF-8, no DOCTYPE/ENTITY, under the size limit), are parsed
    again with huge_tree, which lifts the text and depth limits but still expands nothing."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=huge, remove_pis=True, remove_comments=True)  # fmt: skip


def max_message_bytes() -> int:
    return int(float(getattr(settings, "VANBAN_EDXML_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


_q = qname


# --- Reading ---------------------------------------------------------------------------------


def parse(data: bytes) -> Message:
    """Read one edXML message. Raises EdxmlError (code, Vietnamese message, element
    path) for anything it cannot accept, and nothing else."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise EdxmlError("not_bytes", "Thông điệp edXML phải là dữ liệu nhị phân (bytes).")
    data = bytes(data)
    try:
        return _parse(data)
    except EdxmlError:
        raise
    except RecursionError:
        raise EdxmlError("too_deep", "Thông điệp edXML lồng quá nhiều cấp.") from None
    except Exception as exc:  # the contract: damaged input never escapes as another exception
        log.exception("unexpected error while reading an edXML message")
        raise EdxmlError("unreadable", "Không đọc được thông điệp edXML (lỗi không xác định).") from exc


def _parse(data: bytes) -> Message:
    limit = max_message_bytes()
    if len(data) > limit:
        raise EdxmlError(
            "too_large", f"Thông điệp edXML ({len(data)} byte) lớn hơn giới hạn {payloads.format_mb(limit)}."
        )
    warnings: list[str] = []
    body = _strip_prolog(data, warnings)
    _check_declaration(body)
    root = _xml(body)
    if root.tag != _q("edXML"):
        local = etree.QName(root).localname if isinstance(root.tag, str) else ""
        namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
        if local == "edXML":
            raise EdxmlError(
                "wrong_namespace",
                f"Phần tử gốc edXML không thuộc không gian tên QCVN 102 ({NS}) mà thuộc «{namespace or 'không có'}».",
                "edXML",
            )
        raise EdxmlError("not_edxml", f"Đây không phải thông điệp edXML: phần tử gốc là «{local}».", "edXML")
    reader = _Reader(warnings)
    envelope = reader.required(root, "edXMLEnvelope", "edXMLEnvelope")
    header = reader.required(envelope, "edXMLHeader", "edXMLHeader")
    message_header = reader.required(header, "MessageHeader", "MessageHeader")
    message: Message
    if message_header.find(_q("StatusCode")) is not None:
        message = _read_status(reader, message_header)
    else:
        message = _read_edoc(reader, root, envelope, header, message_header)
    if reader.denormalised:
        fields = ", ".join(dict.fromkeys(reader.denormalised))
        warnings.append(f"Chữ không ở dạng Unicode dựng sẵn (NFC) đã được chuẩn hóa: {fields}.")
    message.warnings = warnings
    return message


def _strip_prolog(data: bytes, warnings: list[str]) -> bytes:
    """A UTF-8 BOM is normal. Anything else before the XML (the `1212` of
    edoc_new.edxml, whitespace, a second BOM) is dropped with a warning when it holds no
    markup and a declaration or the root follows within the first KiB; the raw bytes
    are what the caller stores, so nothing is lost."""
    if data.startswith(_UTF16_BOMS):
        raise EdxmlError("unsupported_encoding", "Thông điệp edXML phải mã hóa UTF-8 (tệp này là UTF-16).")
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    if body.startswith(b"<"):
        late = body.find(b"<?xml", 1, JUNK_WINDOW)
        if late > 0 and not body.startswith(b"<?xml"):
            raise EdxmlError(
                "junk_before_xml",
                f"edXML: có {late} byte dữ liệu chứa thẻ («{_preview(body[:late])}») trước khai báo XML: không nhận.",
            )
        return body
    if not body.strip():
        raise EdxmlError("empty_message", "Thông điệp edXML rỗng.")
    match = _DECL_START.search(body[:JUNK_WINDOW])
    junk = body[: match.start()] if match else body[:JUNK_WINDOW]
    if match is None or b"<" in junk or b">" in junk:
        preview = _preview(junk)
        raise EdxmlError(
            "junk_before_xml",
            f"edXML: có dữ liệu không phải XML («{preview}») ở đầu tệp, trước khai báo XML; "
            f"không tìm thấy khai báo <?xml hay phần tử edXML trong {JUNK_WINDOW} byte đầu.",
        )
    offset = len(data) - len(body)
    warnings.append(
        f"edXML: đã bỏ {len(junk)} byte («{_preview(junk)}») đứng trước khai báo XML ở vị trí {offset}."
    )
    return body[match.start() :]


def _preview(junk: bytes) -> str:
    text = junk[:40].decode("utf-8", errors="replace")
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256 else "?" for ch in text)


def _check_declaration(body: bytes) -> None:
    if b"\x00" in body[:JUNK_WINDOW]:  # UTF-16/32 without a BOM: the byte checks below would not see a DTD
        raise EdxmlError("unsupported_encoding", "Thông điệp edXML phải mã hóa UTF-8 (tệp có byte NUL: UTF-16/32?).")
    match = _ENCODING.match(body)
    if match is not None and match.group(1).strip().lower() not in (b"utf-8", b"utf8"):
        declared = match.group(1).decode("ascii", errors="replace")
        raise EdxmlError(
            "unsupported_encoding", f"Thông điệp edXML phải mã hóa UTF-8 (tệp khai báo «{declared}»).", "edXML"
        )
    if _DTD.search(body):
        raise EdxmlError(
            "doctype_forbidden",
            "Thông điệp edXML có khai báo DOCTYPE hoặc ENTITY: không được phép (chống tấn công XXE, «billion laughs»).",
            "edXML",
        )


def _xml(body: bytes) -> Any:
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        if "Text node too long" not in str(exc):
            raise _syntax_error(exc) from None
        try:
            root = etree.fromstring(body, _parser(huge=True))
        except etree.XMLSyntaxError as again:
            raise _syntax_error(again) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise EdxmlError("doctype_forbidden", "Thông điệp edXML có khai báo DOCTYPE: không được phép.", "edXML")
    return root


def _syntax_error(exc: etree.XMLSyntaxError) -> EdxmlError:
    # Only the exception's own (first) error: its error_log may also hold entries of
    # earlier parses in this thread.
    line, column = exc.position if exc.position else (exc.lineno, 0)
    text = str(exc.msg or exc).split(", line ")[0].strip()
    if exc.code == etree.ErrorTypes.NS_ERR_UNDEFINED_NAMESPACE:
        prefix = re.search(r"prefix (\S+)", text)
        name = prefix.group(1) if prefix else "?"
        return EdxmlError(
            "unbound_prefix",
            f"edXML không hợp lệ: tiền tố không gian tên «{name}» chưa được khai báo (unbound prefix) ở dòng "
            f"{line}, cột {column} ({text}).",
            "edXML",
        )
    return EdxmlError(
        "malformed_xml", f"Thông điệp không phải XML hợp lệ (dòng {line}, cột {column}): {text}.", "edXML"
    )


class _Reader:
    """Text of QCVN elements: NFC, trimmed, with length limits and warnings."""

    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        self.denormalised: list[str] = []

    def required(self, parent: Any, name: str, path: str) -> Any:
        element = parent.find(_q(name))
        if element is None:
            raise EdxmlError("missing_element", f"Thông điệp edXML thiếu phần tử bắt buộc «{path}».", path)
        return element

    def text(self, parent: Any, name: str, path: str, *, limit: int = MAX_TEXT, aliases: tuple[str, ...] = ()) -> str:
        if parent is None:
            return ""
        element = parent.find(_q(name))
        for alias in aliases:
            if element is not None:
                break
            element = parent.find(_q(alias))
        if element is None:
            return ""
        return self.own(element, path, limit=limit)

    def own(self, element: Any, path: str, *, limit: int = MAX_TEXT) -> str:
        """An element's text (comments dropped), NFC, trimmed, at most `limit` long."""
        raw = "".join(element.itertext())
        if not unicodedata.is_normalized("NFC", raw):
            self.denormalised.append(path)
            raw = unicodedata.normalize("NFC", raw)
        value = raw.strip()
        if len(value) > limit:
            raise EdxmlError("too_long", f"Trường «{path}» dài quá {limit} ký tự.", path)
        return value

    def integer(self, parent: Any, name: str, path: str) -> int | None:
        value = self.text(parent, name, path, limit=40)
        if not value:
            return None
        if not _INT.match(value):
            self.warnings.append(f"Trường «{path}» không phải số nguyên («{value}»): đã bỏ qua.")
            return None
        return int(value)

    def boolean(self, parent: Any, name: str, path: str) -> bool | None:
        value = self.text(parent, name, path, limit=40).lower()
        if not value:
            return None
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        self.warnings.append(f"Trường «{path}» không phải giá trị đúng/sai («{value}»): đã bỏ qua.")
        return None

    def date(self, parent: Any, name: str, path: str, *, required: bool = False) -> Any:
        value = self.text(parent, name, path, limit=60)
        if not value:
            if required:
                raise EdxmlError("missing_field", f"Thông điệp edXML thiếu «{path}».", path)
            return None
        try:
            return timefmt.parse_date(value)
        except ValueError:
            if required:
                raise EdxmlError("invalid_date", f"«{path}» không phải ngày hợp lệ: «{value}».", path) from None
            self.warnings.append(f"«{path}» không phải ngày hợp lệ («{value}»): đã bỏ qua.")
            return None

    def timestamp(self, parent: Any, name: str, path: str, *, required: bool = False) -> Any:
        value = self.text(parent, name, path, limit=60, aliases=("TimeStamp",))
        if not value:
            if required:
                raise EdxmlError("missing_field", f"Thông điệp edXML thiếu «{path}».", path)
            return None
        try:
            return timefmt.parse_timestamp(value)
        except ValueError:
            if required:
                raise EdxmlError("invalid_date", f"«{path}» không phải thời điểm hợp lệ: «{value}».", path) from None
            self.warnings.append(f"«{path}» không phải thời điểm hợp lệ («{value}»): đã bỏ qua.")
            return None

    def organ(self, element: Any, path: str, *, required_id: bool = True, check: bool = True) -> OrganInfo:
        organ = OrganInfo(
            organ_id=self.text(element, "OrganId", f"{path}/OrganId", limit=MAX_ORGAN_ID),
            organization_in_charge=self.text(element, "OrganizationInCharge", f"{path}/OrganizationInCharge"),
            organ_name=self.text(element, "OrganName", f"{path}/OrganName"),
            organ_add=self.text(element, "OrganAdd", f"{path}/OrganAdd"),
            email=self.text(element, "Email", f"{path}/Email"),
            telephone=self.text(element, "Telephone", f"{path}/Telephone"),
            fax=self.text(element, "Fax", f"{path}/Fax"),
            website=self.text(element, "Website", f"{path}/Website"),
        )
        if required_id and not organ.organ_id:
            raise EdxmlError("missing_field", f"Thông điệp edXML thiếu mã định danh cơ quan «{path}/OrganId».",
                             f"{path}/OrganId")  # fmt: skip
        if check:
            self.check_organ_id(organ.organ_id, f"{path}/OrganId")
        return organ

    def check_organ_id(self, organ_id: str, path: str) -> None:
        if organ_id and not is_standard_organ_id(organ_id):
            self.warnings.append(
                f"Mã định danh «{organ_id}» ở «{path}» không đúng dạng NNN.NN.NN.XNN (13 ký tự, QĐ 20/2020/QĐ-TTg)."
            )

    def staff(self, element: Any, path: str) -> StaffInfo | None:
        if element is None:
            return None
        return StaffInfo(
            department=self.text(element, "Department", f"{path}/Department"),
            staff=self.text(element, "Staff", f"{path}/Staff"),
            email=self.text(element, "Email", f"{path}/Email"),
            mobile=self.text(element, "Mobile", f"{path}/Mobile"),
        )

    def response_for(self, element: Any, path: str) -> ResponseFor:
        return ResponseFor(
            organ_id=self.text(element, "OrganId", f"{path}/OrganId", limit=MAX_ORGAN_ID),
            code=self.text(element, "Code", f"{path}/Code"),
            promulgation_date=self.date(element, "PromulgationDate", f"{path}/PromulgationDate"),
            document_id=self.text(element, "DocumentId", f"{path}/DocumentId", limit=MAX_ID),
        )


def _read_edoc(r: _Reader, root: Any, envelope: Any, header: Any, mh: Any) -> EdocMessage:
    from_organ = r.organ(r.required(mh, "From", "From"), "From")
    to_elements = mh.findall(_q("To"))
    if not to_elements:
        raise EdxmlError("missing_element", "Văn bản edXML không có cơ quan nhận («To»).", "To")
    to_organs = [r.organ(element, "To") for element in to_elements]
    code = mh.find(_q("Code"))
    code_number = r.text(code, "CodeNumber", "Code/CodeNumber", limit=64)
    code_notation = r.text(code, "CodeNotation", "Code/CodeNotation", limit=100)
    if not code_number and not code_notation:
        raise EdxmlError("missing_field", "Văn bản edXML không có số và ký hiệu («Code»).", "Code")
    if code_number and not _DIGITS.match(code_number):
        r.warnings.append(f"Số của văn bản «{code_number}» (Code/CodeNumber) không phải là số.")
    promulgation = mh.find(_q("PromulgationInfo"))
    promulgation_date = r.date(promulgation, "PromulgationDate", "PromulgationInfo/PromulgationDate", required=True)
    subject = r.text(mh, "Subject", "Subject")
    if not subject:
        raise EdxmlError("missing_field", "Văn bản edXML không có trích yếu («Subject»).", "Subject")
    document_type = mh.find(_q("DocumentType"))
    signer = mh.find(_q("SignerInfo"))
    other = mh.find(_q("OtherInfo"))
    appendixes = other.find(_q("Appendixes")) if other is not None else None
    message = EdocMessage(
        from_organ=from_organ,
        to_organs=to_organs,
        document_id=r.text(mh, "DocumentId", "DocumentId", limit=MAX_ID),
        code_number=code_number,
        code_notation=code_notation,
        promulgation_place=r.text(promulgation, "Place", "PromulgationInfo/Place"),
        promulgation_date=promulgation_date,
        document_type=r.integer(document_type, "Type", "DocumentType/Type"),
        document_type_detail=r.integer(document_type, "TypeDetail", "DocumentType/TypeDetail"),
        document_type_name=r.text(document_type, "TypeName", "DocumentType/TypeName"),
        subject=subject,
        content=r.text(mh, "Content", "Content", limit=MAX_CONTENT),
        signer=SignerInfo(
            competence=r.text(signer, "Competence", "SignerInfo/Competence"),
            position=r.text(signer, "Position", "SignerInfo/Position"),
            full_name=r.text(signer, "FullName", "SignerInfo/FullName"),
        ),
        due_date=r.date(mh, "DueDate", "DueDate"),
        other=OtherInfo(
            priority=r.integer(other, "Priority", "OtherInfo/Priority"),
            sphere_of_promulgation=r.text(other, "SphereOfPromulgation", "OtherInfo/SphereOfPromulgation"),
            typer_notation=r.text(other, "TyperNotation", "OtherInfo/TyperNotation"),
            promulgation_amount=r.integer(other, "PromulgationAmount", "OtherInfo/PromulgationAmount"),
            page_amount=r.integer(other, "PageAmount", "OtherInfo/PageAmount"),
            direction=r.boolean(other, "Direction", "OtherInfo/Direction"),
            appendixes=[
                value
                for element in (appendixes.findall(_q("Appendix")) if appendixes is not None else [])
                if (value := r.own(element, "OtherInfo/Appendixes/Appendix"))
            ],
        ),
        response_for=[
            rf
            for element in mh.findall(_q("ResponseFor"))
            if (rf := r.response_for(element, "ResponseFor")) != ResponseFor()
        ],
        steering_type=r.integer(mh, "SteeringType", "SteeringType"),
        to_places=_places(r, mh.find(_q("ToPlaces"))),
        has_signature=header.find(_q("Signature")) is not None or header.find(f"{{{DSIG_NS}}}Signature") is not None,
    )
    trace_list = header.find(_q("TraceHeaderList"))
    if trace_list is not None:
        message.trace_headers = [
            TraceHeader(
                organ_id=r.text(element, "OrganId", "TraceHeader/OrganId", limit=MAX_ORGAN_ID),
                timestamp=r.timestamp(element, "Timestamp", "TraceHeader/Timestamp"),
            )
            for element in trace_list.findall(_q("TraceHeader"))
        ]
    business = (trace_list.find(_q("Bussiness")) if trace_list is not None else None)
    if business is None:
        business = header.find(_q("Bussiness"))
    if business is not None:
        message.business = _read_business(r, business)
    if not message.document_id:
        if promulgation_date is not None:
            message.document_id = document_identifier(from_organ.organ_id, promulgation_date, message.code)
        r.warnings.append(
            f"Văn bản edXML không có mã định danh văn bản (DocumentId): dùng «{message.document_id}» "
            "lập từ cơ quan gửi, ngày và số, ký hiệu."
        )
    else:
        organ_part = message.document_id.split(",", 1)[0].strip()
        if "," in message.document_id and is_standard_organ_id(organ_part) and organ_part != from_organ.organ_id:
            r.warnings.append(
                f"Mã định danh văn bản «{message.document_id}» ghi cơ quan {organ_part}, "
                f"khác cơ quan gửi {from_organ.organ_id}."
            )
    message.attachments = _read_attachments(r, root, envelope)
    if not message.attachments:
        r.warnings.append("Văn bản edXML không có tệp đính kèm.")
    return message


def _places(r: _Reader, element: Any) -> list[str]:
    if element is None:
        return []
    return [value for place in element.findall(_q("Place")) if (value := r.own(place, "ToPlaces/Place"))]


def _read_business(r: _Reader, element: Any) -> Business:
    raw_type = r.text(element, "BussinessDocType", "Bussiness/BussinessDocType", limit=40)
    if not raw_type:
        r.warnings.append("Khối Bussiness không có BussinessDocType: coi là văn bản mới (0).")
        doc_type = 0
    elif raw_type not in ("0", "1", "2", "3"):
        raise EdxmlError(
            "invalid_business_type",
            f"BussinessDocType «{raw_type}» không hợp lệ: chỉ có 0 (mới), 1 (thu hồi), 2 (cập nhật), 3 (thay thế).",
            "Bussiness/BussinessDocType",
        )
    else:
        doc_type = int(raw_type)
    business = Business(
        business_doc_type=doc_type,
        document_id=r.text(element, "DocumentId", "Bussiness/DocumentId", limit=MAX_ID),
        reason=r.text(element, "BussinessDocReason", "Bussiness/BussinessDocReason"),
        paper=r.integer(element, "Paper", "Bussiness/Paper"),
        staff=r.staff(element.find(_q("StaffInfo")), "Bussiness/StaffInfo"),
    )
    info = element.find(_q("BussinessDocumentInfo"))
    if info is not None:
        receivers = info.find(_q("ReceiverList"))
        business.document_info = BusinessDocumentInfo(
            document_info=r.text(info, "DocumentInfo", "BussinessDocumentInfo/DocumentInfo"),
            document_receiver=r.text(info, "DocumentReceiver", "BussinessDocumentInfo/DocumentReceiver"),
            receivers=[
                Receiver(
                    organ_id=r.text(x, "OrganId", "ReceiverList/Receiver/OrganId", limit=MAX_ORGAN_ID),
                    receiver_type=r.integer(x, "ReceiverType", "ReceiverList/Receiver/ReceiverType"),
                )
                for x in (receivers.findall(_q("Receiver")) if receivers is not None else [])
            ],
        )
    replacements = element.find(_q("ReplacementInfoList"))
    if replacements is not None:
        for x in replacements.findall(_q("ReplacementInfo")):
            organs = x.find(_q("OrganIdList"))
            business.replacements.append(
                ReplacementInfo(
                    document_id=r.text(x, "DocumentId", "ReplacementInfo/DocumentId", limit=MAX_ID),
                    organ_ids=[
                        value
                        for o in (organs.findall(_q("OrganId")) if organs is not None else [])
                        if (value := r.own(o, "OrganIdList/OrganId", limit=MAX_ORGAN_ID))
                    ],
                )
            )
    if doc_type == 3 and not business.replacements and not business.document_id:
        r.warnings.append("Văn bản thay thế (BussinessDocType 3) không nêu văn bản bị thay thế.")
    if doc_type == 2 and not business.document_id:
        r.warnings.append("Văn bản cập nhật (BussinessDocType 2) không nêu văn bản được cập nhật (DocumentId).")
    return business


def _read_attachments(r: _Reader, root: Any, envelope: Any) -> list[Attachment]:
    manifest: dict[str, dict[str, str]] = {}
    body = envelope.find(_q("edXMLBody"))
    references = body.find(_q("edXMLManifest")) if body is not None else None
    # Only the manifest's References: SignedInfo has a Reference of its own.
    for ref in references.findall(_q("Reference")) if references is not None else []:
        cid = strip_cid(r.text(ref, "ContentId", "Reference/ContentId", limit=MAX_ID))
        manifest[cid] = {
            "content_type": r.text(ref, "ContentType", "Reference/ContentType", limit=200),
            "description": r.text(ref, "Description", "Reference/Description"),
            "name": r.text(ref, "AttachmentName", "Reference/AttachmentName", limit=1000),
        }
    encoded = root.find(_q("AttachmentEncoded"))
    result: list[Attachment] = []
    seen: set[str] = set()
    for position, element in enumerate(encoded.findall(_q("Attachment")) if encoded is not None else [], start=1):
        cid = strip_cid(r.text(element, "ContentId", "Attachment/ContentId", limit=MAX_ID))
        if not cid:
            raise EdxmlError("missing_field", f"Tệp đính kèm thứ {position} không có ContentId.", "Attachment/ContentId")
        if cid in seen:
            raise EdxmlError(
                "duplicate_content_id", f"Hai tệp đính kèm cùng ContentId «{cid}».", "Attachment/ContentId"
            )
        seen.add(cid)
        ref = manifest.get(cid)
        if ref is None:
            r.warnings.append(f"Tệp đính kèm «cid:{cid}» không có trong danh mục edXMLManifest.")
            ref = {"content_type": "", "description": "", "name": ""}
        name = r.text(element, "AttachmentName", "Attachment/AttachmentName", limit=1000) or ref["name"]
        if not name:
            name = f"tep-dinh-kem-{position}"
            r.warnings.append(f"Tệp đính kèm «cid:{cid}» không có tên (AttachmentName): đặt tên «{name}».")
        content_type = r.text(element, "ContentType", "Attachment/ContentType", limit=200) or ref["content_type"]
        payload = element.find(_q("ContentTransferEncoded"))
        if payload is None:
            raise EdxmlError(
                "missing_element",
                f"Tệp đính kèm «{name}» không có nội dung (ContentTransferEncoded).",
                "Attachment/ContentTransferEncoded",
            )
        data = payloads.decode_base64("".join(payload.itertext()), name)
        attachment = Attachment(
            content_id=cid,
            name=name,
            data=data,
            content_type=content_type,
            description=r.text(element, "Description", "Attachment/Description") or ref["description"],
        )
        if ref["content_type"] and content_type and ref["content_type"].lower() != content_type.lower():
            attachment.manifest_content_type = ref["content_type"]
            r.warnings.append(
                f"Tệp đính kèm «{name}»: danh mục ghi kiểu {ref['content_type']}, tệp ghi {content_type}; "
                "xác định theo nội dung tệp."
            )
        if not content_type:
            attachment.content_type = payloads.guess_content_type(name, data)
            r.warnings.append(f"Tệp đính kèm «{name}» không ghi kiểu nội dung (ContentType): coi là "
                              f"{attachment.content_type}.")  # fmt: skip
        unwrapped = payloads.unwrap(data, name)
        if unwrapped is not None:
            attachment.unwrapped, attachment.unwrapped_name = unwrapped
        declared_zip = attachment.content_type.lower() == payloads.ZIP_CONTENT_TYPE
        if declared_zip and not payloads.is_zip(data):
            r.warnings.append(f"Tệp đính kèm «{name}» ghi kiểu application/zip nhưng nội dung không phải tệp ZIP.")
        elif unwrapped is not None and not declared_zip:
            r.warnings.append(f"Tệp đính kèm «{name}» ghi kiểu {attachment.content_type} nhưng nội dung là tệp "
                              "nén ZIP: đã giải nén.")  # fmt: skip
        result.append(attachment)
    for cid in manifest.keys() - seen:
        r.warnings.append(f"Danh mục edXMLManifest nêu tệp «cid:{cid}» nhưng thông điệp không có nội dung tệp này.")
    return result


def _read_status(r: _Reader, mh: Any) -> StatusMessage:
    from_organ = r.organ(r.required(mh, "From", "From"), "From")
    response_element = r.required(mh, "ResponseFor", "ResponseFor")
    response_for = r.response_for(response_element, "ResponseFor")
    if not response_for.organ_id:
        raise EdxmlError("missing_field", "Thông điệp trạng thái thiếu «ResponseFor/OrganId».", "ResponseFor/OrganId")
    r.check_organ_id(response_for.organ_id, "ResponseFor/OrganId")
    if not response_for.document_id and not response_for.code:
        raise EdxmlError(
            "missing_field",
            "Thông điệp trạng thái không nêu văn bản (ResponseFor/DocumentId hoặc ResponseFor/Code).",
            "ResponseFor/DocumentId",
        )
    status_code = r.text(mh, "StatusCode", "StatusCode", limit=MAX_STATUS_CODE)
    if not status_code:
        raise EdxmlError("missing_field", "Thông điệp trạng thái không có mã trạng thái (StatusCode).", "StatusCode")
    if status_code not in STATUS_LABELS:
        r.warnings.append(f"Mã trạng thái «{status_code}» không có trong QCVN 102: lưu nguyên giá trị.")
    return StatusMessage(
        from_organ=from_organ,
        response_for=response_for,
        staff=r.staff(mh.find(_q("StaffInfo")), "StaffInfo"),
        status_code=status_code,
        description=r.text(mh, "Description", "Description"),
        timestamp=r.timestamp(mh, "Timestamp", "Timestamp", required=True),
    )


def build_from_outgoing(doc: Any, *, to: list[Any] | None = None, now: Any = None) -> bytes:
    """The edXML of an issued (or recalled) OutgoingDocument: see vanban.exchange.export."""
    from vanban.exchange.export import message_from_outgoing

    return build_document(message_from_outgoing(doc, to=to, now=now))


def describe(message: Message) -> str:
    """One line in Vietnamese, for `vanban edxml validate` and logs."""
    if isinstance(message, StatusMessage):
        label = message.status_label or "mã không chuẩn"
        target = message.response_for.code or message.response_for.document_id
        when = timefmt.format_timestamp(message.timestamp) if message.timestamp else ""
        return (
            f"Trạng thái {message.status_code} ({label}) từ {message.from_organ.organ_id} "
            f"({message.from_organ.name}) cho văn bản {target} gửi {message.response_for.organ_id}, lúc {when}"
        )
    business = BUSINESS_LABELS.get(message.business_doc_type, "")
    files = ", ".join(f"{a.name} ({a.size} byte)" for a in message.attachments) or "không có tệp"
    date = message.promulgation_date.strftime("%d/%m/%Y") if message.promulgation_date else "?"
    return (
        f"Văn bản {join_code(message.code_number, message.code_notation)} ngày {date} "
        f"({message.document_type_name or 'không rõ loại'}) từ {message.from_organ.organ_id} "
        f"({message.from_organ.name}) gửi {len(message.to_organs)} cơ quan, "
        f"nghiệp vụ {message.business_doc_type} ({business}), tệp: {files}"
    )
