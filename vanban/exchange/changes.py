"""The receiving side of revocation (BussinessDocType 1), update (2), replacement (3)
and the sender's take-back request (status 13): QĐ28 "recall answered 15/16".

`open_change_request` runs inside `receive_message`'s transaction for every such
message and finds the document it is about among the documents this organ received
from the same sender (by the referenced DocumentId, else by number/notation + date):

* not registered yet → changed at once, status 15 back: a revocation takes the document
  out of the clerk's queue (`revoked`); an update or replacement puts the new version in
  the queue in place of the old one (`superseded`);
* registered → `pending`: the clerk sees the request on the incoming document and in
  the received list, and accepts (15; a revocation marks the document, an update adds
  the new files to it, a replacement is registered as a new document that replaces it;
  the people working on it are notified) or refuses with a reason (16);
* unknown → `unmatched`, with a warning on the message; the message stays visible (an
  update or replacement can still be registered as a new document, a revocation or a
  take-back can be refused so the sender learns we do not have it).

Statuses 15/16 are `ReceivedMessageEvent` rows of the request message, so the hook
queues them in the outbox in the same transaction (about the request's own DocumentId:
the revoked document's for a revocation or a status 13, the new version's for an
update or replacement, which is what the sender's recipient status is keyed on).
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.text import clean_text
from vanban.documents import storage
from vanban.documents.files import prepare_upload
from vanban.documents.models import FileRole
from vanban.documents.services import store_upload
from vanban.documents.signature_reports import schedule_checks
from vanban.exchange.errors import ExchangeError, WrongState
from vanban.exchange.messages import (
    BUSINESS_REPLACE,
    BUSINESS_REVOKE,
    BUSINESS_UPDATE,
    STATUS_DESCRIPTIONS,
    EdocMessage,
    Message,
    StatusMessage,
)
from vanban.exchange.models import ChangeRequest, ReceivedMessage, ReceivedMessageEvent
from vanban.incoming.models import IncomingDocument, IncomingFile
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role

log = logging.getLogger(__name__)

TAKE_BACK_CODE = "13"
KIND_WORDS = {
    ChangeRequest.Kind.REVOKE: "thu hồi",
    ChangeRequest.Kind.UPDATE: "cập nhật",
    ChangeRequest.Kind.REPLACE: "thay thế",
}
# The documents a request may be about: never another request.
_DOCUMENT_TYPES = Q(business_doc_type__isnull=True) | Q(business_doc_type__in=[0, BUSINESS_UPDATE, BUSINESS_REPLACE])


def is_change(message: Message) -> bool:
    if isinstance(message, StatusMessage):
        return message.status_code == TAKE_BACK_CODE
    return message.business_doc_type in (BUSINESS_REVOKE, BUSINESS_UPDATE, BUSINESS_REPLACE)


def _references(message: Message) -> list[str]:
    """The DocumentIds the message names as the document it changes, most specific first."""
    if isinstance(message, StatusMessage):
        return [message.response_for.document_id] if message.response_for.document_id else []
    refs: list[str] = []
    business = message.business
    if business is not None:
        if business.document_id:
            refs.append(business.document_id)
        refs.extend(r.document_id for r in business.replacements if r.document_id)
    if message.business_doc_type == BUSINESS_REVOKE and message.document_id:
        refs.append(message.document_id)  # the revocation sample: the header's is the revoked one
    return list(dict.fromkeys(refs))


def _code_of(reference: str) -> tuple[str, str, Any] | None:
    """Number, notation and date out of a DocumentId laid out as the samples
    (`OrganId,yyyy/MM/dd,Number/Notation`); None for any other layout (UUIDs)."""
    import datetime as dt

    parts = reference.split(",")
    if len(parts) != 3 or "/" not in parts[2]:
        return None
    number, _, notation = parts[2].strip().partition("/")
    try:
        day = dt.datetime.strptime(parts[1].strip(), "%Y/%m/%d").date()
    except ValueError:
        day = None  # the samples hold 2014/02/30: opaque, match on the code alone then
    return number.strip(), notation.strip(), day


def _codes(message: Message, refs: list[str]) -> list[tuple[str, str, Any]]:
    codes: list[tuple[str, str, Any]] = []
    if isinstance(message, StatusMessage):
        number, _, notation = message.response_for.code.partition("/")
        if number or notation:
            codes.append((number.strip(), notation.strip(), message.response_for.promulgation_date))
    elif message.business_doc_type == BUSINESS_REVOKE and (message.code_number or message.code_notation):
        codes.append((message.code_number, message.code_notation, message.promulgation_date))
    for ref in refs:
        parsed = _code_of(ref)
        if parsed is not None:
            codes.append(parsed)
    return codes


def _current(found: ReceivedMessage) -> ReceivedMessage:
    """A document that a later update or replacement superseded is now that version."""
    for _ in range(20):
        if found.status != ReceivedMessage.Status.SUPERSEDED:
            break
        successor = (ChangeRequest.objects.filter(target=found, state=ChangeRequest.State.APPLIED,
                                                  kind__in=[BUSINESS_UPDATE, BUSINESS_REPLACE])
                     .select_related("message").order_by("-pk").first())  # fmt: skip
        if successor is None:
            break
        found = successor.message
    return found


def find_target(row: ReceivedMessage, message: Message) -> ReceivedMessage | None:
    """The received document `message` (from `row.from_organ_id`) is about."""
    candidates = (ReceivedMessage.objects.filter(kind=ReceivedMessage.Kind.EDOC, from_organ_id=row.from_organ_id)
                  .filter(_DOCUMENT_TYPES).exclude(pk=row.pk).order_by("-pk"))  # fmt: skip
    refs = _references(message)
    for ref in refs:
        found = candidates.filter(document_id=ref).first()
        if found is not None:
            return _current(found)
    for number, notation, day in _codes(message, refs):
        if not number and not notation:
            continue
        query = candidates.filter(code_number=number, code_notation__iexact=notation)
        if day is not None:
            query = query.filter(promulgation_date=day)
        found = query.first()
        if found is not None:
            return _current(found)
    return None


def _incoming_of(target: ReceivedMessage) -> IncomingDocument | None:
    """The registered document behind a received message: its own registration, or
    the document an accepted update of it was added to."""
    if target.incoming_id is not None:
        return target.incoming
    request = ChangeRequest.objects.filter(message=target, incoming__isnull=False).select_related("incoming").first()
    return request.incoming if request is not None else None


def _answer(request: ChangeRequest, code: str, description: str, actor: Any, at: Any) -> None:
    """15/16 back to the sender: an event of the request message, which the hook queues."""
    ReceivedMessageEvent.objects.create(message=request.message, status_code=code, description=description[:2000],
                                        actor=actor, at=at)  # fmt: skip


def open_change_request(*, actor: Any, row: ReceivedMessage, message: Message) -> ChangeRequest | None:
    """Called by `services.receive_message` inside its transaction."""
    if not is_change(message):
        return None
    if isinstance(message, StatusMessage):
        kind = ChangeRequest.Kind.REVOKE
        reason = message.description
    else:
        assert isinstance(message, EdocMessage)
        kind = ChangeRequest.Kind(message.business_doc_type)
        reason = message.business.reason if message.business else ""
    refs = _references(message)
    reference = ", ".join(refs) or (message.response_for.code if isinstance(message, StatusMessage) else message.code)
    request = ChangeRequest(message=row, kind=kind, reference=reference[:500], reason=clean_text(reason)[:2000])
    target = find_target(row, message)
    if target is not None:
        # Locked as the clerk's acceptance locks it: a registration at this moment either
        # commits first (then the request waits for the clerk) or waits for this one.
        target = ReceivedMessage.objects.select_for_update().get(pk=target.pk)
    request.target = target
    now = timezone.now()
    status = row.status
    if target is None:
        request.state = ChangeRequest.State.UNMATCHED
        warning = (f"Yêu cầu {KIND_WORDS[kind]} văn bản {reference or '(không ghi mã)'} nhưng không tìm thấy văn bản "
                   f"này trong các văn bản đã nhận từ {row.from_organ_id}.")  # fmt: skip
        row.warnings = [*row.warnings, warning]
        log.warning("exchange change request %s from %s: %s", row.pk, row.from_organ_id, warning)
        # An update or replacement is a whole document: the clerk may still register it.
        if kind == ChangeRequest.Kind.REVOKE:
            status = ReceivedMessage.Status.CHANGE
    else:
        incoming = _incoming_of(target)
        if incoming is not None:
            request.state = ChangeRequest.State.PENDING
            request.incoming = incoming
            status = ReceivedMessage.Status.CHANGE
        else:
            request.state = ChangeRequest.State.APPLIED
            request.decided_at = now
            if kind == ChangeRequest.Kind.REVOKE:
                status = ReceivedMessage.Status.CHANGE
                if target.status == ReceivedMessage.Status.RECEIVED:
                    target.status = ReceivedMessage.Status.REVOKED
                    target.refusal_reason = request.reason
                    target.decided_at = now
                    target.save(update_fields=["status", "refusal_reason", "decided_at"])
            elif target.status == ReceivedMessage.Status.RECEIVED:
                target.status = ReceivedMessage.Status.SUPERSEDED
                target.decided_at = now
                target.save(update_fields=["status", "decided_at"])
    if status != row.status or target is None:
        row.status = status
        row.save(update_fields=["status", "warnings"])
    request.save()
    if request.state == ChangeRequest.State.APPLIED:
        _answer(request, "15", STATUS_DESCRIPTIONS["15"], actor, now)
    audit.record(actor=actor, action="exchange.change_received", target=row, data={
        "kind": int(kind), "state": request.state, "reference": request.reference,
        "target": target.pk if target else None, "incoming": request.incoming_id, "reason": request.reason[:500],
    })  # fmt: skip
    return request


# --- The clerk's decision on a registered document --------------------------------------------


def _locked(request: ChangeRequest, *states: str) -> ChangeRequest:
    # Only the request row is locked (PostgreSQL refuses FOR UPDATE across the nullable joins).
    row = ChangeRequest.objects.select_for_update(of=("self",)).select_related("message", "target", "incoming").get(
        pk=request.pk
    )
    if row.state not in states or row.decided_at is not None:
        raise WrongState("change_decided", "Yêu cầu này đã được xử lý hoặc không còn chờ quyết định.")
    return row


def _people_on(doc: IncomingDocument) -> list[Any]:
    """Who works on the document: its assignees (a unit's leaders and clerks for a
    unit's assignment) and the leaders it was presented to, with their delegates."""
    from vanban.notifications.events import unit_receivers, with_delegates
    from vanban.workflow.models import Assignment, Presentation

    people: list[Any] = []
    for a in Assignment.objects.filter(document=doc).select_related("assignee_user", "assignee_unit"):
        if a.assignee_user_id:
            people.append(a.assignee_user)
        elif a.assignee_unit_id:
            people.extend(unit_receivers(a.assignee_unit))
    people.extend(p.leader for p in Presentation.objects.filter(document=doc).select_related("leader"))
    return with_delegates([p for p in people if p.is_active])


def _notify(request: ChangeRequest, doc: IncomingDocument, actor: Any, text: str) -> None:
    from vanban.notifications.services import notify

    notify(recipients=_people_on(doc), kind="exchange.changed", title=f"{text}: {doc.subject}"[:300],
           body=f"Lý do của bên gửi: {request.reason}" if request.reason else "",
           url=reverse("web:incoming_detail", args=[doc.pk]), actor=actor, target=doc,
           dedupe_key=f"exchange.changed:{request.pk}")  # fmt: skip


def _add_files(actor: Any, doc: IncomingDocument, message: EdocMessage) -> list[str]:
    """The update's files after the document's own, checked as any upload."""
    hashes: list[str] = []
    stored_files: list[Any] = []
    with ExitStack() as stack:
        uploads = [stack.enter_context(prepare_upload(a.name, a.content)) for a in message.attachments]
        for upload in uploads:
            storage.put(upload.sha256, upload.path, upload.size)
        position = (IncomingFile.objects.filter(document=doc).aggregate(m=Max("position"))["m"] or 0)
        for upload in uploads:
            position += 1
            stored = store_upload(actor=actor, upload=upload)
            IncomingFile.objects.create(document=doc, file=stored, role=FileRole.ATTACHMENT, position=position,
                                        name=upload.name, added_by=actor)  # fmt: skip
            stored_files.append(stored)
            hashes.append(stored.sha256)
    # As at registration: the new version's signatures are checked by the worker after commit.
    schedule_checks(stored_files)
    return hashes


def accept_change(*, actor: Any, change: ChangeRequest) -> ChangeRequest:
    """Đồng ý (status 15): a revocation marks the document revoked; an update adds the
    new version's files to it; a replacement is registered as a new document (its own
    số đến) that replaces it. The people working on it are notified."""
    from vanban.exchange.services import accept_received, read_message

    authority = authorize(actor, {Role.MINISTRY_CLERK})
    fresh = ChangeRequest.objects.filter(pk=change.pk).values_list("state", "decided_at").first()
    if fresh is None:
        raise ExchangeError("not_found", "Không tìm thấy yêu cầu.")
    if fresh[0] != ChangeRequest.State.PENDING or fresh[1] is not None:
        raise WrongState("change_decided", "Yêu cầu này đã được xử lý hoặc không còn chờ quyết định.")
    with transaction.atomic():
        row = _locked(change, ChangeRequest.State.PENDING)
        doc = row.incoming
        assert doc is not None
        now = timezone.now()
        data: dict[str, Any] = {"kind": row.kind, "incoming": doc.pk}
        if row.kind == ChangeRequest.Kind.REPLACE:
            # The replacement's files are expected to resemble the document it replaces.
            # Registering it makes the message "registered" (status 03) like any other.
            row.message.status = ReceivedMessage.Status.RECEIVED
            row.message.save(update_fields=["status"])
            new = accept_received(actor=actor, message=row.message, confirm_duplicate=True)
            row.replacement = new
            data["replacement"] = new.pk
            text = f"Văn bản đến số {doc.arrival_number} đã được thay thế bằng văn bản đến số {new.arrival_number}"
        elif row.kind == ChangeRequest.Kind.UPDATE:
            parsed = read_message(row.message)
            assert isinstance(parsed, EdocMessage)
            data["files"] = _add_files(actor, doc, parsed)
            text = "Văn bản đến đã được bên gửi cập nhật"
        else:
            if row.target is not None and row.target.status == ReceivedMessage.Status.REGISTERED:
                row.target.refusal_reason = row.reason
                row.target.save(update_fields=["refusal_reason"])
            text = "Văn bản đến đã bị bên gửi thu hồi"
        row.state = ChangeRequest.State.ACCEPTED
        row.decided_at = now
        row.decided_by = actor
        row.save(update_fields=["state", "decided_at", "decided_by", "replacement"])
        _answer(row, "15", STATUS_DESCRIPTIONS["15"], actor, now)
        _notify(row, doc, actor, text)
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="exchange.change_accepted",
                     target=row.message, data=data)  # fmt: skip
    change.refresh_from_db()
    return change


def refusal_reason(reason: str) -> str:
    """The reason sent to the sender with a refusal (status 02 or 16): required, bounded."""
    reason = clean_text(reason)
    if not reason:
        raise ExchangeError("required", "Vui lòng nhập lý do từ chối để gửi cho cơ quan gửi.", "reason")
    if len(reason) > 2000:
        raise ExchangeError("too_long", "Lý do từ chối dài quá 2000 ký tự.", "reason")
    return reason


def refuse_change(*, actor: Any, change: ChangeRequest, reason: str) -> ChangeRequest:
    """Từ chối (status 16) with the reason for the sender. Also answers a revocation or
    a take-back about a document we never received."""
    authority = authorize(actor, {Role.MINISTRY_CLERK})
    reason = refusal_reason(reason)
    with transaction.atomic():
        row = _locked(change, ChangeRequest.State.PENDING, ChangeRequest.State.UNMATCHED)
        if row.message.status in (ReceivedMessage.Status.REGISTERED, ReceivedMessage.Status.REFUSED):
            raise WrongState("change_decided", "Văn bản này đã được tiếp nhận hoặc từ chối như một văn bản mới.")
        if row.state == ChangeRequest.State.UNMATCHED and row.message.status == ReceivedMessage.Status.RECEIVED:
            # An unmatched update/replacement leaves the queue: refusing the change refuses it.
            row.message.status = ReceivedMessage.Status.CHANGE
            row.message.save(update_fields=["status"])
        now = timezone.now()
        row.state = ChangeRequest.State.REFUSED
        row.refusal_reason = reason
        row.decided_at = now
        row.decided_by = actor
        row.save(update_fields=["state", "refusal_reason", "decided_at", "decided_by"])
        _answer(row, "16", reason, actor, now)
        audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="exchange.change_refused",
                     target=row.message, data={"kind": row.kind, "incoming": row.incoming_id, "reason": reason})  # fmt: skip
    change.refresh_from_db()
    return change


# --- Reads ------------------------------------------------------------------------------------


def changes_of(doc: IncomingDocument) -> list[ChangeRequest]:
    """Every request about an incoming document, newest first (for its page)."""
    return list(ChangeRequest.objects.filter(Q(incoming=doc) | Q(replacement=doc))
                .select_related("message", "decided_by", "replacement", "incoming").order_by("-created_at", "-pk"))  # fmt: skip


def marking(doc: IncomingDocument) -> ChangeRequest | None:
    """The accepted revocation or replacement that ends the document's validity."""
    return (ChangeRequest.objects.filter(incoming=doc, state=ChangeRequest.State.ACCEPTED,
                                         kind__in=[ChangeRequest.Kind.REVOKE, ChangeRequest.Kind.REPLACE])
            .select_related("message", "replacement").order_by("-decided_at", "-pk").first())  # fmt: skip
