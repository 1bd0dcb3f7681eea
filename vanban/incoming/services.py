"""Registering incoming documents (ND30 Art 20–22, issue 3 "Guards" and "Register").

`register_incoming` checks, in this order, before anything is stored:
1. the actor is a clerk of the register;
2. the document may enter the system at all (secrecy, forbidden kind): a refusal keeps
   no file and no text, only a content-free audit event and a "refused" lifecycle event;
3. the fields and the files;
4. duplicates (unless confirmed);
then takes the register's next number and stores everything in one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.text import nfc
from vanban.core.timeutil import format_date
from vanban.documents import storage
from vanban.documents.catalogue import ReceiptMethod, Secrecy, Urgency, ensure_admissible
from vanban.documents.errors import DocumentError
from vanban.documents.files import PreparedUpload, prepare_upload
from vanban.documents.models import DocumentType, FileRole, Register, StoredFile
from vanban.documents.numbering import register_for, take_next_number
from vanban.documents.preview import leading_lines
from vanban.documents.selectors import default_register_owner, find_organ_by_name
from vanban.documents.services import find_or_create_external_organ, store_upload
from vanban.documents.signature_reports import schedule_checks as schedule_signature_checks

# The Unicode guard (TCVN 6909): legacy encodings and NFD become NFC.
from vanban.documents.text import guard_text
from vanban.incoming.errors import DuplicateSuspected, IncomingError
from vanban.incoming.models import IncomingDocument, IncomingEvent, IncomingFile
from vanban.incoming.permissions import authorize_registration
from vanban.organisation.models import Organ

# Arrival times a little ahead of the server clock are a clock skew, not the future.
CLOCK_SKEW = dt.timedelta(minutes=5)

TEXT_LIMITS: dict[str, tuple[int, str]] = {
    "code_number": (11, "Số của văn bản"),
    "code_notation": (30, "Ký hiệu"),
    "issuing_organ_name": (200, "Cơ quan ban hành"),
    "subject": (500, "Trích yếu"),
    "language": (30, "Ngôn ngữ"),
    "description": (500, "Ghi chú"),
    "signer_name": (50, "Người ký"),
    "signer_position": (100, "Chức vụ người ký"),
    "to_places": (1000, "Đơn vị hoặc người nhận"),
}


@dataclass
class IncomingData:
    """What the clerk enters. The issuing organ is chosen (`issuing_organ`) or typed
    (`issuing_organ_name`, added to the directory when unknown). `register` defaults to
    the clerk's register of this year; `arrival_date` to now."""

    document_type: DocumentType | int | None = None
    issuing_organ: Organ | int | None = None
    issuing_organ_name: str = ""
    code_number: str = ""
    code_notation: str = ""
    issued_date: dt.date | None = None
    subject: str = ""
    arrival_date: dt.datetime | None = None
    language: str = "Tiếng Việt"
    page_amount: int | None = None
    description: str = ""
    signer_name: str = ""
    signer_position: str = ""
    urgency: str = Urgency.NORMAL
    secrecy: str = Secrecy.NONE
    receipt_method: str = ReceiptMethod.PAPER
    due_date: dt.date | None = None
    to_places: str = ""
    register: Register | int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Text fields (names in TEXT_LIMITS) whose legacy-encoding conversion the clerk undid:
    # stored as typed, but still NFC.
    keep_as_typed: set[str] = field(default_factory=set)


def number_key(code_number: str) -> int | None:
    """ "05" and "5" are the same number (domain.md §3.2)."""
    digits = re.match(r"\s*0*(\d{1,18})", code_number or "")
    return int(digits.group(1)) if digits else None


def notation_key(code_notation: str) -> str:
    return re.sub(r"\s+", "", code_notation or "").casefold()[:30]


def _resolve_type(value: DocumentType | int | None) -> DocumentType | None:
    if value is None or value == "":
        return None
    if isinstance(value, DocumentType):
        return value
    try:
        return DocumentType.objects.get(pk=int(value))
    except (DocumentType.DoesNotExist, TypeError, ValueError):
        raise IncomingError("invalid_document_type", "Loại văn bản không hợp lệ.", "document_type") from None


def _resolve_register(actor: Any, value: Register | int | None) -> Register:
    if isinstance(value, Register):
        register = value
    elif value not in (None, ""):
        register = Register.objects.select_related("unit", "organ").filter(pk=value).first()
        if register is None:
            raise IncomingError("invalid_register", "Sổ đăng ký không hợp lệ.", "register")
    else:
        owner = default_register_owner(actor)
        if owner is None:
            from vanban.core.errors import PermissionDenied

            raise PermissionDenied("Chỉ văn thư mới đăng ký văn bản đến.")
        register = register_for(owner, Register.Kind.INCOMING, actor=actor)
    if register.kind != Register.Kind.INCOMING:
        raise IncomingError("invalid_register", "Đây không phải sổ đăng ký văn bản đến.", "register")
    return register


# The stamp as printed, with its diacritics, or without any (a PDF font may drop them);
# "MẶT" or "MÁT" is another word, not a stamp.
SECRECY_STAMPS = {
    "mật": "MẬT", "tốimật": "TỐI MẬT", "tuyệtmật": "TUYỆT MẬT",
    "mat": "MẬT", "toimat": "TỐI MẬT", "tuyetmat": "TUYỆT MẬT",
}  # fmt: skip
STAMP_LINES = 15
STAMP_KINDS = frozenset({StoredFile.Kind.PDF, StoredFile.Kind.DOCX, StoredFile.Kind.ODT})


def stamp_in_line(line: str) -> str | None:
    """The secrecy level when a line is a stamp on its own: "MẬT", "Tối mật",
    "T U Y Ệ T  M Ậ T", "(MẬT)", "Độ mật: Mật"; None for a sentence that mentions a
    secret ("Thông tin bí mật nhà nước ...")."""
    key = re.sub(r"[\W\d_]+", "", nfc(line).casefold())
    for prefix in ("độmật", "domat"):
        key = key.removeprefix(prefix)
    return SECRECY_STAMPS.get(key)


def secrecy_stamp_in(upload: PreparedUpload) -> str | None:
    """The secrecy stamp printed near the top of a document ("MẬT", "TỐI MẬT", "TUYỆT
    MẬT" on a line of its own), or None. Read from a PDF's first-page text layer, and
    from a DOCX's or ODT's page header, first paragraphs, table cells and text boxes
    (ND30 puts the stamp under the number and symbol). A scan without a text layer says
    nothing here; OCR will feed the same check."""
    if upload.kind not in STAMP_KINDS:
        return None
    for line in leading_lines(upload.path, upload.kind, STAMP_LINES):
        stamp = stamp_in_line(line)
        if stamp:
            return stamp
    return None


def _refuse(actor: Any, authority: Any, reason: str) -> None:
    """Logged in a transaction of its own, so the refusal is on record although the
    registration itself stores nothing. No content: only the reason."""
    with transaction.atomic():
        audit.record(
            actor=actor,
            on_behalf_of=authority.on_behalf_of,
            action="incoming.refused",
            target_type="incoming.incomingdocument",
            data={"reason": reason},
        )
        IncomingEvent.objects.create(kind=IncomingEvent.Kind.REFUSED, actor=actor)


def _clean_texts(data: IncomingData) -> tuple[dict[str, str], dict[str, Any]]:
    keep = {str(name) for name in data.keep_as_typed or ()}
    unknown = sorted(keep - TEXT_LIMITS.keys())
    if unknown:
        raise IncomingError(
            "invalid_keep_as_typed",
            f"Không có trường văn bản «{unknown[0]}» để giữ nguyên như đã gõ. "
            f"Các trường có thể giữ nguyên: {', '.join(TEXT_LIMITS)}.",
            "keep_as_typed",
        )
    values: dict[str, str] = {}
    conversions: dict[str, Any] = {}
    for name, (limit, label) in TEXT_LIMITS.items():
        raw = getattr(data, name) or ""
        text, conversion = guard_text(str(raw))
        if conversion is not None and name in keep:
            # The clerk undid the conversion: only the legacy-encoding reading is reverted;
            # NFC storage (TCVN 6909) still holds, so undo() is NFC too.
            text, conversion = conversion.undo(), None
        text = text.strip()
        if conversion is not None:
            conversions[name] = conversion
        if len(text) > limit:
            raise IncomingError("too_long", f"{label} dài quá {limit} ký tự.", name)
        values[name] = text
    return values, conversions


def _validate(data: IncomingData, texts: dict[str, str]) -> tuple[dt.datetime, dt.date]:
    if not texts["subject"]:
        raise IncomingError("required", "Vui lòng nhập trích yếu nội dung.", "subject")
    if data.issuing_organ in (None, "") and not texts["issuing_organ_name"]:
        raise IncomingError("required", "Vui lòng chọn hoặc nhập cơ quan ban hành.", "issuing_organ_name")
    if not texts["code_number"] and not texts["code_notation"]:
        raise IncomingError("required", "Vui lòng nhập số và ký hiệu của văn bản.", "code_number")
    if data.issued_date is None:
        raise IncomingError("required", "Vui lòng nhập ngày tháng văn bản.", "issued_date")
    if data.urgency not in Urgency.values:
        raise IncomingError("invalid_urgency", "Độ khẩn không hợp lệ.", "urgency")
    if data.receipt_method not in ReceiptMethod.values:
        raise IncomingError("invalid_receipt_method", "Phương thức nhận không hợp lệ.", "receipt_method")
    if data.page_amount is not None and not 1 <= int(data.page_amount) <= 999:
        raise IncomingError("invalid_page_amount", "Số trang phải từ 1 đến 999.", "page_amount")
    now = timezone.now()
    arrival = data.arrival_date or now
    if timezone.is_naive(arrival):
        arrival = timezone.make_aware(arrival)
    if arrival > now + CLOCK_SKEW:
        raise IncomingError("future_date", "Ngày đến không được ở tương lai.", "arrival_date")
    arrival_day = timezone.localtime(arrival).date()
    if data.issued_date > timezone.localdate():
        raise IncomingError("future_date", "Ngày tháng văn bản không được ở tương lai.", "issued_date")
    if data.issued_date > arrival_day:
        raise IncomingError("issued_after_arrival", "Ngày tháng văn bản không được sau ngày đến.", "issued_date")
    if data.due_date is not None and data.due_date < arrival_day:
        raise IncomingError(
            "due_before_arrival",
            f"Thời hạn giải quyết không được trước ngày đến ({format_date(arrival_day)}).",
            "due_date",
        )
    return arrival, arrival_day


def _match_summary(doc: IncomingDocument, reason: str) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "arrival_number": doc.arrival_number,
        "year": doc.register.year,
        "register": doc.register.name,
        "arrival_date": timezone.localtime(doc.arrival_date).isoformat(),
        "arrival_date_display": format_date(timezone.localtime(doc.arrival_date).date()),
        "number_symbol": doc.number_symbol,
        "issued_date": doc.issued_date.isoformat(),
        "reason": reason,
    }


def find_duplicates(
    *, issuing_organ: Organ | None, code_number: str, code_notation: str, issued_date: dt.date | None,
    sha256s: Iterable[str] = (),
) -> list[dict[str, Any]]:  # fmt: skip
    """Earlier registrations of the same document: same organ + number/symbol + date,
    or one of the same files."""
    found: dict[int, dict[str, Any]] = {}
    docs = IncomingDocument.objects.select_related("register")
    if issuing_organ is not None and issued_date is not None:
        same = docs.filter(
            issuing_organ=issuing_organ,
            number_key=number_key(code_number),
            notation_key=notation_key(code_notation),
            issued_date=issued_date,
        )
        for doc in same.order_by("pk")[:10]:
            found[doc.pk] = _match_summary(doc, "metadata")
    hashes = list(sha256s)
    if hashes:
        for doc in docs.filter(files__file__sha256__in=hashes).distinct().order_by("pk")[:10]:
            found.setdefault(doc.pk, _match_summary(doc, "file"))
    return list(found.values())


def _known_organ(data: IncomingData, name: str) -> Organ | None:
    """The issuing organ if the directory has it, found without writing anything, so
    before the register's counter is locked: the name lookup folds every organ's name in
    Python (thousands of them), and the register's other clerks would wait for it."""
    if data.issuing_organ in (None, ""):
        return find_organ_by_name(name)
    return _resolve_organ(None, data, name)


def _resolve_organ(actor: Any, data: IncomingData, name: str) -> Organ:
    if isinstance(data.issuing_organ, Organ):
        return data.issuing_organ
    if data.issuing_organ not in (None, ""):
        try:
            return Organ.objects.get(pk=int(data.issuing_organ))
        except (Organ.DoesNotExist, TypeError, ValueError):
            raise IncomingError("invalid_issuing_organ", "Cơ quan ban hành không hợp lệ.", "issuing_organ") from None
    organ, _ = find_or_create_external_organ(actor=actor, name=name)
    return organ


def register_incoming(
    *,
    actor: Any,
    data: IncomingData,
    files: list[tuple[str, Any]] | None = None,
    confirm_duplicate: bool = False,
    confirm_not_secret: bool = False,
) -> IncomingDocument:
    """Register an incoming document and take its arrival number (số đến).

    The admissibility guard runs outside the registering transaction so that a refusal
    is logged (in its own transaction) while nothing else is written; everything after
    it is one transaction. The returned document carries `text_conversions` (field →
    FieldConversion) for the notice shown to the clerk.
    `confirm_not_secret` is the clerk's answer to the warning raised when a PDF's text
    shows a secrecy stamp (code secrecy_stamp_suspected)."""
    register = _resolve_register(actor, data.register)
    authority = authorize_registration(actor, register)
    document_type = _resolve_type(data.document_type)
    try:
        ensure_admissible(secrecy=data.secrecy, document_type=document_type)
    except DocumentError as exc:
        if exc.code in ("secret_document", "forbidden_kind"):
            _refuse(actor, authority, "secrecy" if exc.code == "secret_document" else "forbidden_kind")
        raise
    if document_type is None:
        raise IncomingError("required", "Vui lòng chọn loại văn bản.", "document_type")
    if not document_type.is_active:
        raise IncomingError("invalid_document_type", "Loại văn bản này đã ngừng sử dụng.", "document_type")
    texts, conversions = _clean_texts(data)
    arrival, _ = _validate(data, texts)
    known_organ = _known_organ(data, texts["issuing_organ_name"])
    with ExitStack() as stack:
        uploads: list[PreparedUpload] = []
        for name, content in files or []:
            uploads.append(stack.enter_context(prepare_upload(name, content)))
        if not confirm_not_secret:
            for upload in uploads:
                stamp = secrecy_stamp_in(upload)
                if stamp:
                    raise IncomingError(
                        "secrecy_stamp_suspected",
                        f"Tệp «{upload.name}» có dấu «{stamp}» ở đầu trang: văn bản mật không được đưa vào hệ thống "
                        "(Quyết định 2226/QĐ-BCT). Nếu văn bản không mật, hãy xác nhận «Văn bản không mật» rồi lưu lại.",
                        "confirm_not_secret",
                    )
        # The blobs are written before the registering transaction locks the register's
        # counter, so the register's other clerks do not wait for the disk or the bucket.
        # Storage is content-addressed: if the registration stops after this (duplicate
        # warning, rollback), the object is an orphan that the confirmed retry reuses and
        # `vanban files sweep` removes after a day, as for any rollback after storing.
        for upload in uploads:
            storage.put(upload.sha256, upload.path, upload.size)
        doc = _register(
            actor=actor,
            authority=authority,
            register=register,
            document_type=document_type,
            data=data,
            texts=texts,
            arrival=arrival,
            uploads=uploads,
            confirm_duplicate=confirm_duplicate,
            known_organ=known_organ,
        )
    doc.text_conversions = conversions  # type: ignore[attr-defined]
    return doc


@transaction.atomic
def _register(
    *,
    actor: Any,
    authority: Any,
    register: Register,
    document_type: DocumentType,
    data: IncomingData,
    texts: dict[str, str],
    arrival: dt.datetime,
    uploads: list[PreparedUpload],
    confirm_duplicate: bool,
    known_organ: Organ | None = None,
) -> IncomingDocument:
    # The counter lock comes first, before anything that writes the audit chain: one
    # lock order for every registration, so concurrent clerks queue instead of deadlocking.
    number = take_next_number(register)
    # Only an organ new to the directory is added here, under the lock: adding it writes
    # the audit chain, which is locked after the counter.
    organ = known_organ or _resolve_organ(actor, data, texts["issuing_organ_name"])
    if not confirm_duplicate:
        matches = find_duplicates(
            issuing_organ=organ,
            code_number=texts["code_number"],
            code_notation=texts["code_notation"],
            issued_date=data.issued_date,
            sha256s=[u.sha256 for u in uploads],
        )
        if matches:
            raise DuplicateSuspected(matches)
    page_amount = data.page_amount
    if page_amount is None:
        main_pages = [u.page_count for u in uploads if u.page_count]
        page_amount = min(sum(main_pages), 999) if main_pages else None
    doc = IncomingDocument.objects.create(
        register=register,
        arrival_number=number,
        arrival_date=arrival,
        document_type=document_type,
        code_number=texts["code_number"],
        code_notation=texts["code_notation"],
        issued_date=data.issued_date,
        issuing_organ=organ,
        subject=texts["subject"],
        language=texts["language"] or "Tiếng Việt",
        page_amount=page_amount,
        description=texts["description"],
        signer_name=texts["signer_name"],
        signer_position=texts["signer_position"],
        urgency=data.urgency,
        secrecy=Secrecy.NONE,
        receipt_method=data.receipt_method,
        due_date=data.due_date,
        to_places=texts["to_places"],
        number_key=number_key(texts["code_number"]),
        notation_key=notation_key(texts["code_notation"]),
        registered_by=actor,
    )
    hashes = []
    stored_files = []
    for position, upload in enumerate(uploads, start=1):
        stored = store_upload(actor=actor, upload=upload)
        stored_files.append(stored)
        IncomingFile.objects.create(
            document=doc,
            file=stored,
            role=FileRole.MAIN if position == 1 else FileRole.ATTACHMENT,
            position=position,
            name=upload.name,
            added_by=actor,
        )
        hashes.append(stored.sha256)
    # Receiving an e-document includes checking its signatures (domain.md §3.1, step 1):
    # queued for the worker once this registration commits.
    schedule_signature_checks(stored_files)
    IncomingEvent.objects.create(document=doc, kind=IncomingEvent.Kind.REGISTERED, actor=actor, at=doc.registered_at)
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="incoming.registered",
        target=doc,
        data={
            "register": register.pk,
            "year": register.year,
            "arrival_number": number,
            "files": hashes,
            "confirmed_duplicate": bool(confirm_duplicate),
            **({"kept_as_typed": sorted(data.keep_as_typed)} if data.keep_as_typed else {}),
        },
    )
    return doc


@transaction.atomic
def record_view(*, actor: Any, document: IncomingDocument) -> None:
    """Every opening of a document is on record (domain.md §6). A document circulated
    inside the ministry also tells its sender when a reader other than the issuing
    clerk first opens it (the read receipt of ND30 internal circulation)."""
    audit.record(
        actor=actor, action="incoming.viewed", target=document, data={"arrival_number": document.arrival_number}
    )
    from vanban.outgoing.models import Recipient

    Recipient.objects.filter(incoming=document, read_at__isnull=True).exclude(
        document__issued_by_id=getattr(actor, "pk", None)
    ).update(read_at=timezone.now(), delivery=Recipient.Delivery.READ)


@transaction.atomic
def record_file_download(*, actor: Any, document: IncomingDocument, link: IncomingFile, inline: bool) -> None:
    audit.record(
        actor=actor,
        action="incoming.file_viewed" if inline else "incoming.file_downloaded",
        target=document,
        data={"file": link.pk, "sha256": link.file.sha256},
    )
