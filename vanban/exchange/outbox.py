"""The outbox: edXML messages owed to partners, delivered by the worker.

Rows are written in the transaction of the change that owes them (issuing, recalling,
a status of a received document), so a crash never loses one and a rollback never sends
one. `deliver_due` claims due rows one by one (pending/failed → sending with a lease), so
two workers never send the same row at once and a worker killed mid-send leaves a row
that is claimed again once its lease runs out; the receiver deduplicates on the message id.
Failures back off exponentially (VANBAN_EXCHANGE_BACKOFF_SECONDS × 2^(attempt-1), capped
at VANBAN_EXCHANGE_BACKOFF_MAX_SECONDS); after VANBAN_EXCHANGE_MAX_ATTEMPTS, or a refusal
retrying cannot fix, the row is dead: the dead-letter list, where an administrator retries
or abandons it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from vanban.audit import services as audit
from vanban.core.errors import ValidationFailed
from vanban.documents import storage
from vanban.documents.services import store_upload
from vanban.exchange import edxml
from vanban.exchange.errors import EdxmlError, WrongState
from vanban.exchange.models import OutboxMessage, Partner, ReceivedMessage, RecipientStatus
from vanban.exchange.transport import transport_for
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role

log = logging.getLogger(__name__)

KEY_NAMESPACE = uuid.UUID("7b0c2f1e-5d4a-4f7e-9a53-2f6d0c1b8e11")


def max_attempts() -> int:
    return int(getattr(settings, "VANBAN_EXCHANGE_MAX_ATTEMPTS", 8))


def backoff(attempts: int) -> dt.timedelta:
    base = float(getattr(settings, "VANBAN_EXCHANGE_BACKOFF_SECONDS", 30))
    cap = float(getattr(settings, "VANBAN_EXCHANGE_BACKOFF_MAX_SECONDS", 6 * 3600))
    return dt.timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "VANBAN_EXCHANGE_LEASE_SECONDS", 120)))


def message_key(*parts: Any) -> str:
    """A stable message id: the same owed message enqueued twice is one row."""
    return str(uuid.uuid5(KEY_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def _store(data: bytes, name: str) -> Any:
    from vanban.exchange.services import _RawUpload

    sha256 = hashlib.sha256(data).hexdigest()
    with _RawUpload(data, name, sha256) as upload:
        return store_upload(actor=None, upload=upload)


def enqueue(*, partner: Partner, kind: str, data: bytes, key: str, **fields: Any) -> OutboxMessage:
    """Queue `data` for `partner` (inside the caller's transaction). Idempotent on `key`."""
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    raw = _store(data, f"{kind}-{partner.organ_id}-{key[:8]}.edxml")
    row = OutboxMessage.objects.create(partner=partner, kind=kind, idempotency_key=key, raw=raw, size=len(data),
                                       next_attempt_at=timezone.now(), **fields)  # fmt: skip
    transaction.on_commit(_kick)
    return row


def _kick() -> None:
    """With VANBAN_EXCHANGE_DELIVER_ON_COMMIT the message leaves at once from this
    process (tests, small installations without a worker); the worker is the default."""
    if getattr(settings, "VANBAN_EXCHANGE_DELIVER_ON_COMMIT", False):
        deliver_due()


# --- What the business changes owe ------------------------------------------------------------


def active_partner(organ_id: str) -> Partner | None:
    if not organ_id:
        return None
    return Partner.objects.filter(organ_id=organ_id, is_active=True).first()


def enqueue_for_outgoing(*, doc: Any) -> list[OutboxMessage]:
    """One document message per external organ recipient of an issued (business type 0,
    or 2/3 for an update/replacement) or recalled (1) outgoing document. Restricted
    documents are never sent. Recipients with no active partner are marked failed with
    the reason, so the clerk sees why."""
    from vanban.exchange.export import identifier_of
    from vanban.outgoing.models import OutgoingDocument, Recipient

    if doc.restricted:
        return []
    recalled = doc.status == OutgoingDocument.Status.RECALLED
    rows: list[OutboxMessage] = []
    document_key = identifier_of(doc)
    for r in doc.recipients.select_related("organ").filter(organ__isnull=False).order_by("pk"):
        organ_id = r.organ.organ_id or ""
        partner = active_partner(organ_id)
        if partner is None:
            if not recalled:
                r.delivery = Recipient.Delivery.FAILED
                r.error = "Cơ quan chưa có trong danh bạ liên thông (hoặc đã ngừng): chưa gửi được."
                r.save(update_fields=["delivery", "error"])
            continue
        try:
            data = edxml.build_from_outgoing(doc, to=[r.organ])
        except EdxmlError as exc:
            r.delivery = Recipient.Delivery.FAILED
            r.error = exc.message[:500]
            r.save(update_fields=["delivery", "error"])
            continue
        message = edxml.parse(data)
        business = message.business.business_doc_type if message.business else 0
        if not recalled:
            RecipientStatus.objects.get_or_create(document_key=document_key, organ_id=organ_id,
                                                  defaults={"recipient": r})  # fmt: skip
            r.delivery = Recipient.Delivery.QUEUED
            r.error = ""
            r.save(update_fields=["delivery", "error"])
        rows.append(enqueue(
            partner=partner, kind=OutboxMessage.Kind.DOCUMENT, data=data,
            key=message_key("edoc", document_key, business, organ_id), business_doc_type=business,
            document_id=document_key, summary=f"{doc.number_symbol}: {doc.subject}"[:500], outgoing=doc,
        ))  # fmt: skip
    return rows


def enqueue_status(*, received: ReceivedMessage, code: str, description: str = "", actor: Any = None,
                   at: dt.datetime | None = None) -> OutboxMessage | None:  # fmt: skip
    """The status `code` about a document received by exchange, back to its sender (when
    the sender is an active partner; a message imported by hand owes nobody)."""
    from vanban.exchange.export import status_for_received

    partner = active_partner(received.from_organ_id)
    # A status message is answered only when it asked for an answer: a take-back (13).
    if partner is None or (received.kind != ReceivedMessage.Kind.EDOC and received.status_code != "13"):
        return None
    status = status_for_received(received, code, description=description, actor=actor, at=at)
    data = edxml.build_status(status)
    return enqueue(partner=partner, kind=OutboxMessage.Kind.STATUS, data=data,
                   key=message_key("status", received.identity, code), status_code=code,
                   document_id=received.document_id, received=received,
                   summary=f"{code} – {received.code_number}/{received.code_notation}"[:500])  # fmt: skip


# --- Delivery -------------------------------------------------------------------------------


@dataclass
class DeliveryRun:
    sent: int = 0
    failed: int = 0
    dead: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "dead": self.dead}


def _due(now: dt.datetime) -> Any:
    waiting = Q(state__in=[OutboxMessage.State.PENDING, OutboxMessage.State.FAILED])
    stale = Q(state=OutboxMessage.State.SENDING)  # a worker died holding it: lease over
    return OutboxMessage.objects.filter(waiting | stale, next_attempt_at__lte=now).order_by("next_attempt_at", "pk")


def _claim(pk: int, now: dt.datetime) -> bool:
    """pending/failed (or an expired sending) → sending, atomically: one claimer wins.
    The lease runs from the claim, not from the start of the pass: a pass that has been
    waiting on slow partners for longer than the lease must not hand out rows whose
    lease is already over (another worker would send them at the same time)."""
    claimed = (
        OutboxMessage.objects.filter(pk=pk, next_attempt_at__lte=now,
                                     state__in=[OutboxMessage.State.PENDING, OutboxMessage.State.FAILED,
                                                OutboxMessage.State.SENDING])
        .update(state=OutboxMessage.State.SENDING, next_attempt_at=timezone.now() + lease())
    )
    return claimed == 1


def deliver_due(*, limit: int = 100, now: dt.datetime | None = None) -> DeliveryRun:
    run = DeliveryRun()
    now = now or timezone.now()
    for pk in list(_due(now).values_list("pk", flat=True)[:limit]):
        if not _claim(pk, now):
            continue
        row = OutboxMessage.objects.select_related("partner", "raw").get(pk=pk)
        outcome = deliver_one(row)
        setattr(run, outcome, getattr(run, outcome) + 1)
    return run


def deliver_one(row: OutboxMessage) -> str:
    """Send a claimed row and record the outcome: "sent", "failed" or "dead"."""
    partner = row.partner
    if not partner.is_active:
        result_ok, detail, permanent = False, "Cơ quan liên thông đã ngừng hoạt động trong danh bạ.", True
        remote = ""
    else:
        data = storage.read_blob(row.raw.sha256)
        try:
            result = transport_for(partner).send(partner, data, message_id=row.idempotency_key)
        except Exception as exc:  # a transport bug must not kill the worker loop
            log.exception("exchange transport failed for outbox %s", row.pk)
            result_ok, detail, permanent, remote = False, f"{type(exc).__name__}: {exc}", False, ""
        else:
            result_ok, detail, permanent, remote = result.ok, result.detail, result.permanent, result.remote_id
    with transaction.atomic():
        row = OutboxMessage.objects.select_for_update().get(pk=row.pk)
        if row.state != OutboxMessage.State.SENDING:
            return "failed"  # abandoned while in flight: leave as the administrator set it
        now = timezone.now()
        row.attempts += 1
        if result_ok:
            row.state = OutboxMessage.State.SENT
            row.sent_at = now
            row.last_error = ""
            row.save(update_fields=["state", "sent_at", "last_error", "attempts"])
            _mark_recipient(row, delivered=True, remote=remote)
            return "sent"
        row.last_error = (detail or "Lỗi không rõ")[:2000]
        if permanent or row.attempts >= max_attempts():
            row.state = OutboxMessage.State.DEAD
            row.save(update_fields=["state", "last_error", "attempts"])
            _mark_recipient(row, delivered=False)
            audit.record(actor=None, action="exchange.dead_lettered", target=row,
                         data={"partner": partner.organ_id, "attempts": row.attempts, "error": row.last_error[:500]})  # fmt: skip
            return "dead"
        row.state = OutboxMessage.State.FAILED
        row.next_attempt_at = now + backoff(row.attempts)
        row.save(update_fields=["state", "last_error", "attempts", "next_attempt_at"])
        return "failed"


def _recipients_of(row: OutboxMessage) -> Any:
    from vanban.outgoing.models import Recipient

    return Recipient.objects.filter(document_id=row.outgoing_id, organ__organ_id=row.partner.organ_id)


def _mark_recipient(row: OutboxMessage, *, delivered: bool, remote: str = "") -> None:
    from vanban.outgoing.models import Recipient

    if row.kind != OutboxMessage.Kind.DOCUMENT or row.outgoing_id is None or row.business_doc_type == 1:
        return
    if delivered:
        _recipients_of(row).exclude(delivery=Recipient.Delivery.READ).update(
            delivery=Recipient.Delivery.DELIVERED, delivered_at=timezone.now(), error=""
        )
    else:
        _recipients_of(row).update(delivery=Recipient.Delivery.FAILED, error=row.last_error[:500])


# --- Dead letters: the administrator's actions ------------------------------------------------


def _locked(row: OutboxMessage, allowed: tuple[str, ...]) -> OutboxMessage:
    fresh = OutboxMessage.objects.select_for_update().get(pk=row.pk)
    if fresh.state not in allowed:
        raise WrongState("wrong_outbox_state", "Thông điệp này không ở trạng thái cho phép thao tác này.")
    return fresh


@transaction.atomic
def retry(*, actor: Any, message: OutboxMessage) -> OutboxMessage:
    """Send again now, with a fresh count of attempts."""
    authority = authorize(actor, {Role.SYSTEM_ADMIN})
    row = _locked(message, (OutboxMessage.State.DEAD, OutboxMessage.State.FAILED, OutboxMessage.State.ABANDONED))
    previous = row.state
    row.state = OutboxMessage.State.PENDING
    row.attempts = 0
    row.next_attempt_at = timezone.now()
    row.save(update_fields=["state", "attempts", "next_attempt_at"])
    if row.kind == OutboxMessage.Kind.DOCUMENT and row.outgoing_id and row.business_doc_type != 1:
        from vanban.outgoing.models import Recipient

        _recipients_of(row).update(delivery=Recipient.Delivery.QUEUED, error="")
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="exchange.outbox_retried", target=row,
                 data={"partner": row.partner.organ_id, "previous": previous, "error": row.last_error[:500]})  # fmt: skip
    transaction.on_commit(_kick)
    return row


@transaction.atomic
def abandon(*, actor: Any, message: OutboxMessage, reason: str = "") -> OutboxMessage:
    """Stop trying: the message stays in the list as abandoned (never deleted)."""
    authority = authorize(actor, {Role.SYSTEM_ADMIN})
    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise ValidationFailed("too_long", "Lý do dài quá 1000 ký tự.", "reason")
    row = _locked(message, (OutboxMessage.State.DEAD, OutboxMessage.State.FAILED, OutboxMessage.State.PENDING))
    previous = row.state
    row.state = OutboxMessage.State.ABANDONED
    row.save(update_fields=["state"])
    audit.record(actor=actor, on_behalf_of=authority.on_behalf_of, action="exchange.outbox_abandoned", target=row,
                 data={"partner": row.partner.organ_id, "previous": previous, "reason": reason})  # fmt: skip
    return row
