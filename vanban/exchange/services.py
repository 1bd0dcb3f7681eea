"""Taking in edXML messages: receive (store once, status 01), accept (register as an
incoming document, status 03) and refuse (status 02, with the reason).

The transport (HTTP inbox, watched folder, a national-platform adapter) calls
`receive_message` with the bytes it got; it then owes the sender the statuses recorded
as `ReceivedMessageEvent` rows, built with `export.status_for_received`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.text import fold
from vanban.documents import storage
from vanban.documents.catalogue import ReceiptMethod
from vanban.documents.files import PreparedUpload, sanitize_filename
from vanban.documents.models import DocumentType, Register, StoredFile
from vanban.documents.numbering import register_for
from vanban.documents.services import find_or_create_external_organ, store_upload
from vanban.exchange import edxml
from vanban.exchange.changes import open_change_request, refusal_reason
from vanban.exchange.errors import ExchangeError, WrongState
from vanban.exchange.export import urgency_for
from vanban.exchange.messages import STATUS_DESCRIPTIONS, EdocMessage, Message, StatusMessage, is_standard_organ_id
from vanban.exchange.models import ReceivedMessage, ReceivedMessageEvent
from vanban.incoming.models import IncomingDocument, IncomingEvent
from vanban.incoming.permissions import authorize_registration
from vanban.incoming.services import IncomingData, register_incoming
from vanban.organisation.models import Organ
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role
from vanban.organisation.selectors import own_organ

RAW_CONTENT_TYPE = "application/xml"
FALLBACK_TYPE_CODE = "cong-van"


@dataclass(frozen=True)
class Received:
    """What `receive_message` returns: the row, whether this call created it, and the
    parsed message (for the transport's reply)."""

    row: ReceivedMessage
    created: bool
    message: Message


def identity_key(message: Message) -> str:
    """The same document from the same sender, whatever bytes carried it. A revocation
    repeats the revoked document's DocumentId, so the business type is part of the key;
    a status is one per code and time."""
    if isinstance(message, StatusMessage):
        subject = message.response_for.document_id or f"{message.response_for.code}|{message.response_for.promulgation_date}"
        stamp = message.timestamp.isoformat() if message.timestamp else ""
        return "\x1f".join(("status", message.from_organ.organ_id, subject, message.status_code, stamp))
    document = message.document_id or f"{message.code}|{message.promulgation_date}"
    return "\x1f".join(("edoc", message.from_organ.organ_id, document, str(message.business_doc_type)))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _addressed_to(message: Message) -> list[str]:
    if isinstance(message, StatusMessage):
        return [message.response_for.organ_id]
    return [organ.organ_id for organ in message.to_organs]


def _recipient(message: Message, any_recipient: bool) -> Organ | None:
    addressed = _addressed_to(message)
    ours = Organ.objects.filter(is_own=True, organ_id__in=[a for a in addressed if a]).order_by("pk").first()
    if ours is not None or any_recipient:
        return ours
    own = own_organ()
    if own is None or not own.organ_id:
        raise ExchangeError(
            "no_own_organ",
            "Chưa khai báo mã định danh của cơ quan sử dụng hệ thống: không xác định được thông điệp có gửi cho "
            "cơ quan mình hay không.",
        )
    field = "ResponseFor/OrganId" if isinstance(message, StatusMessage) else "To/OrganId"
    raise ExchangeError(
        "wrong_recipient",
        f"Thông điệp gửi cho {', '.join(a or '(trống)' for a in addressed)}, không phải {own.name} "
        f"({own.organ_id}): không nhận.",
        field,
    )


class _RawUpload:
    """The raw message in a temporary file, as `store_upload` takes it (the upload
    checks of documents.files are for people's files, not for edXML)."""

    def __init__(self, data: bytes, name: str, sha256: str) -> None:
        tmp_dir = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
        fd, tmp_name = tempfile.mkstemp(prefix="vanban-edxml-", dir=tmp_dir)
        self.path = Path(tmp_name)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        self.upload = PreparedUpload(name=name, sha256=sha256, size=len(data), kind=StoredFile.Kind.TEXT,
                                     content_type=RAW_CONTENT_TYPE, path=self.path)  # fmt: skip

    def __enter__(self) -> PreparedUpload:
        return self.upload

    def __exit__(self, *exc: object) -> None:
        self.path.unlink(missing_ok=True)


def receive_message(*, actor: Any, data: bytes, channel: str = "cli", any_recipient: bool = False) -> Received:
    """Check and store one received message. Raises EdxmlError for a damaged message and
    ExchangeError for one addressed to another organ; in both cases nothing is stored.
    The same message again (same bytes, or the same sender + document + business type)
    gives the stored row with `created` False. A document message gets its status 01."""
    message = edxml.parse(data)
    to_organ = _recipient(message, any_recipient)
    sha256 = hashlib.sha256(data).hexdigest()
    identity = _digest(identity_key(message))
    existing = ReceivedMessage.objects.filter(Q(message_hash=sha256) | Q(identity=identity)).order_by("pk").first()
    if existing is not None:
        return Received(existing, False, message)
    name = sanitize_filename(f"{message.kind}-{message.from_organ.organ_id}-{sha256[:12]}.edxml")
    with _RawUpload(data, name, sha256) as upload:
        # Blob first, outside the transaction (as register_incoming does); a rollback leaves
        # an orphan blob that `vanban files sweep` removes, never a row without its blob.
        storage.put(upload.sha256, upload.path, upload.size)
        try:
            with transaction.atomic():
                row = _create(actor=actor, message=message, upload=upload, sha256=sha256, identity=identity,
                              to_organ=to_organ, channel=channel)  # fmt: skip
        except IntegrityError:
            # The same message taken in by another worker a moment ago: theirs is ours.
            existing = ReceivedMessage.objects.filter(Q(message_hash=sha256) | Q(identity=identity)).first()
            if existing is None:
                raise
            return Received(existing, False, message)
    return Received(row, True, message)


def _create(*, actor: Any, message: Message, upload: PreparedUpload, sha256: str, identity: str,
            to_organ: Organ | None, channel: str) -> ReceivedMessage:  # fmt: skip
    stored = store_upload(actor=actor, upload=upload)
    common: dict[str, Any] = {
        "raw": stored,
        "message_hash": sha256,
        "identity": identity,
        "from_organ_id": message.from_organ.organ_id,
        "from_organ_name": message.from_organ.name[:500],
        "to_organ": to_organ,
        "summary": message.summary(),
        "warnings": list(message.warnings),
        "channel": channel[:20],
        "received_by": actor if getattr(actor, "pk", None) else None,
    }
    if isinstance(message, StatusMessage):
        code_number, _, code_notation = message.response_for.code.partition("/")
        row = ReceivedMessage.objects.create(
            kind=ReceivedMessage.Kind.STATUS, document_id=message.response_for.document_id,
            code_number=code_number[:64], code_notation=code_notation[:100],
            promulgation_date=message.response_for.promulgation_date, status_code=message.status_code, **common,
        )  # fmt: skip
    else:
        row = ReceivedMessage.objects.create(
            kind=ReceivedMessage.Kind.EDOC, document_id=message.document_id, code_number=message.code_number,
            code_notation=message.code_notation, promulgation_date=message.promulgation_date,
            subject=message.subject[:500], business_doc_type=message.business_doc_type, **common,
        )  # fmt: skip
        ReceivedMessageEvent.objects.create(message=row, status_code="01", description=STATUS_DESCRIPTIONS["01"],
                                            actor=common["received_by"], at=row.received_at)  # fmt: skip
    audit.record(
        actor=actor,
        action="exchange.received",
        target=row,
        data={
            "kind": row.kind,
            "from": row.from_organ_id,
            "document_id": row.document_id,
            "code": f"{row.code_number}/{row.code_notation}".strip("/"),
            "business_doc_type": row.business_doc_type,
            "status_code": row.status_code,
            "sha256": sha256,
            "warnings": len(message.warnings),
            "channel": row.channel,
        },
    )
    # A revocation, update, replacement or take-back (13) about a document we received.
    open_change_request(actor=common["received_by"], row=row, message=message)
    return row


# --- The clerk's decision ---------------------------------------------------------------------


def read_message(received: ReceivedMessage) -> Message:
    """The stored raw message, parsed again (attachments included)."""
    return edxml.parse(storage.read_blob(received.raw.sha256))


def _document_type(name: str) -> tuple[DocumentType, bool]:
    """The catalogue type whose name (or printed name) is `name`, ignoring case and
    diacritics; else Công văn, flagged so the clerk sees it."""
    key = fold(name).strip()
    if key:
        for dtype in DocumentType.objects.filter(is_active=True, is_forbidden=False).order_by("sort_order", "pk"):
            if key in (fold(dtype.name).strip(), fold(dtype.base_name).strip()):
                return dtype, True
    return DocumentType.objects.get(code=FALLBACK_TYPE_CODE), False


def _issuing_organ(actor: Any, message: EdocMessage) -> Organ:
    organ_id = message.from_organ.organ_id
    if is_standard_organ_id(organ_id):
        found = Organ.objects.filter(organ_id=organ_id).first()
        if found is not None:
            return found
    with transaction.atomic():
        organ, _ = find_or_create_external_organ(
            actor=actor, name=message.from_organ.name or organ_id,
            organ_id=organ_id if is_standard_organ_id(organ_id) else "",
        )  # fmt: skip
    return organ


def _lock(received: ReceivedMessage) -> ReceivedMessage:
    row = ReceivedMessage.objects.select_for_update().get(pk=received.pk)
    if row.kind != ReceivedMessage.Kind.EDOC:
        raise WrongState("not_a_document", "Thông điệp trạng thái không tiếp nhận hay từ chối được.")
    if row.status != ReceivedMessage.Status.RECEIVED:
        raise _state_error(row.status)
    return row


def _state_error(status: str) -> WrongState:
    """Why a received message that is not waiting can be neither accepted nor refused."""
    if status == ReceivedMessage.Status.REGISTERED:
        return WrongState("already_registered", "Văn bản liên thông này đã được tiếp nhận, vào sổ.")
    if status == ReceivedMessage.Status.REFUSED:
        return WrongState("already_refused", "Văn bản liên thông này đã bị từ chối.")
    if status == ReceivedMessage.Status.REVOKED:
        return WrongState("revoked_by_sender", "Bên gửi đã thu hồi văn bản này: không tiếp nhận được nữa.")
    if status == ReceivedMessage.Status.SUPERSEDED:
        return WrongState("superseded", "Bên gửi đã gửi phiên bản cập nhật, thay thế văn bản này: hãy tiếp nhận "
                                        "phiên bản mới.")  # fmt: skip
    return WrongState("change_request", "Đây là yêu cầu thu hồi, cập nhật, thay thế của bên gửi: đồng ý hoặc từ chối "
                                        "yêu cầu, không vào sổ như văn bản mới.")  # fmt: skip


def _incoming_data(message: EdocMessage, received: ReceivedMessage, register: Register) -> IncomingData:
    document_type, matched = _document_type(message.document_type_name)
    notes = [f"Nhận liên thông, mã định danh {message.document_id}"]
    if not matched and message.document_type_name:
        notes.append(f"loại văn bản theo bên gửi: {message.document_type_name}")
    arrival_day = timezone.localtime(received.received_at).date()
    due = message.due_date
    if due is not None and due < arrival_day:
        notes.append(f"hạn theo bên gửi {due:%d/%m/%Y}")
        due = None
    pages = message.other.page_amount
    return IncomingData(
        document_type=document_type,
        code_number=message.code_number,
        code_notation=message.code_notation,
        issued_date=message.promulgation_date,
        subject=message.subject,
        arrival_date=received.received_at,
        page_amount=pages if pages is not None and 1 <= pages <= 999 else None,
        description="; ".join(notes)[:500],
        signer_name=message.signer.full_name,
        signer_position=message.signer.position,
        urgency=urgency_for(message.other.priority),
        receipt_method=ReceiptMethod.EXCHANGE,
        due_date=due,
        to_places="; ".join(message.to_places)[:1000],
        register=register,
    )


def accept_received(*, actor: Any, message: ReceivedMessage, register: Register | None = None,
                    confirm_duplicate: bool = False) -> IncomingDocument:  # fmt: skip
    """Tiếp nhận (status 03): register the received document in the incoming register
    (the organ's by default) as received electronically, its attachments as its files,
    through `incoming.services.register_incoming` (same checks, numbering, duplicate
    warning). Raises what registration raises (a file that is not what its name says,
    a duplicate to confirm); then nothing changes and the clerk may refuse instead."""
    if register is None:
        authorize(actor, {Role.MINISTRY_CLERK})
        owner = message.to_organ or own_organ()
        if owner is None:
            raise ExchangeError("no_own_organ", "Chưa khai báo cơ quan sử dụng hệ thống.")
        register = register_for(owner, Register.Kind.INCOMING, actor=actor)
    authority = authorize_registration(actor, register)
    _lock_free_check(message)
    parsed = read_message(message)
    if not isinstance(parsed, EdocMessage):
        raise WrongState("not_a_document", "Thông điệp trạng thái không tiếp nhận hay từ chối được.")
    organ = _issuing_organ(actor, parsed)
    with transaction.atomic():
        row = _lock(message)
        data = _incoming_data(parsed, row, register)
        data.issuing_organ = organ
        files = [(a.name, a.content) for a in parsed.attachments]
        doc = register_incoming(actor=actor, data=data, files=files, confirm_duplicate=confirm_duplicate)
        IncomingEvent.objects.create(document=doc, kind=IncomingEvent.Kind.RECEIVED, at=row.received_at)
        now = timezone.now()
        row.status = ReceivedMessage.Status.REGISTERED
        row.incoming = doc
        row.decided_at = now
        row.decided_by = actor
        row.save(update_fields=["status", "incoming", "decided_at", "decided_by"])
        ReceivedMessageEvent.objects.create(message=row, status_code="03", actor=actor, at=now,
                                            description=STATUS_DESCRIPTIONS["03"])  # fmt: skip
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="exchange.accepted", target=row,
                     data={"incoming": doc.pk, "arrival_number": doc.arrival_number, "register": register.pk})  # fmt: skip
    message.refresh_from_db()
    return doc


def _lock_free_check(message: ReceivedMessage) -> None:
    """The state checks once before the work, so a second click fails fast; `_lock`
    repeats them under the row lock."""
    fresh = ReceivedMessage.objects.filter(pk=message.pk).values_list("kind", "status").first()
    if fresh is None:
        raise ExchangeError("not_found", "Không tìm thấy thông điệp đã nhận.")
    kind, status = fresh
    if kind != ReceivedMessage.Kind.EDOC:
        raise WrongState("not_a_document", "Thông điệp trạng thái không tiếp nhận hay từ chối được.")
    if status != ReceivedMessage.Status.RECEIVED:
        raise _state_error(status)


def refuse_received(*, actor: Any, message: ReceivedMessage, reason: str) -> ReceivedMessage:
    """Từ chối / trả lại (status 02, ND30 Art 21): with a reason for the sender; no
    arrival number is spent and nothing enters the register."""
    authority = authorize(actor, {Role.MINISTRY_CLERK})
    reason = refusal_reason(reason)
    with transaction.atomic():
        row = _lock(message)
        now = timezone.now()
        row.status = ReceivedMessage.Status.REFUSED
        row.refusal_reason = reason
        row.decided_at = now
        row.decided_by = actor
        row.save(update_fields=["status", "refusal_reason", "decided_at", "decided_by"])
        ReceivedMessageEvent.objects.create(message=row, status_code="02", description=reason, actor=actor, at=now)
        # Content-free, as registration's own refusals: the incoming statistics count it.
        IncomingEvent.objects.create(kind=IncomingEvent.Kind.REFUSED, actor=actor, at=now)
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="exchange.refused", target=row,
                     data={"reason": reason, "from": row.from_organ_id, "document_id": row.document_id})  # fmt: skip
    message.refresh_from_db()
    return row

