"""Messages received through the inter-agency exchange, before and after the clerk acts.

A `ReceivedMessage` keeps the raw edXML exactly as it arrived (a content-addressed
StoredFile, junk bytes included) and the parsed summary (JSON, ISO 8601 +07:00). It is
stored once: `message_hash` (SHA-256 of the raw bytes) and `identity` (sender + document
id + business type, or sender + document + status code + time for a status message)
are both unique, so a message delivered twice — byte-identical or re-serialised by a
gateway — is one row. `ReceivedMessageEvent` is its lifecycle as edXML status codes
(01 received, 02 refused, 03 registered): what the transport sends back to the sender.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from vanban.documents.models import StoredFile
from vanban.incoming.models import IncomingDocument
from vanban.organisation.models import Organ


class ReceivedMessage(models.Model):
    class Kind(models.TextChoices):
        EDOC = "edoc", "Văn bản"
        STATUS = "status", "Trạng thái"

    class Status(models.TextChoices):
        RECEIVED = "received", "Đã đến, chờ tiếp nhận"
        REGISTERED = "registered", "Đã tiếp nhận, vào sổ"
        REFUSED = "refused", "Đã từ chối"
        # Set by exchange.changes: the sender withdrew it before registration; a newer
        # version (update/replacement) took its place in the queue; the message is
        # itself a change request (revocation, status 13, an update of a registered
        # document), handled through its ChangeRequest rather than registered.
        REVOKED = "revoked", "Đã bị bên gửi thu hồi"
        SUPERSEDED = "superseded", "Đã có phiên bản cập nhật, thay thế"
        CHANGE = "change", "Yêu cầu thu hồi, cập nhật, thay thế"

    kind = models.CharField("Loại thông điệp", max_length=10, choices=Kind.choices)
    status = models.CharField("Trạng thái", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    raw = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    message_hash = models.CharField("Mã băm SHA-256 của thông điệp", max_length=64, unique=True)
    # SHA-256 of the identity key (see services.identity_key): unique whatever its length.
    identity = models.CharField(max_length=64, unique=True)
    from_organ_id = models.CharField("Mã cơ quan gửi", max_length=64)
    from_organ_name = models.CharField("Cơ quan gửi", max_length=500, blank=True)
    # The own organ the message is addressed to; None when imported with --any-recipient
    # for an organ this installation does not run.
    to_organ = models.ForeignKey(Organ, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document_id = models.CharField("Mã định danh văn bản", max_length=255, blank=True)
    code_number = models.CharField("Số", max_length=64, blank=True)
    code_notation = models.CharField("Ký hiệu", max_length=100, blank=True)
    promulgation_date = models.DateField("Ngày văn bản", null=True, blank=True)
    subject = models.CharField("Trích yếu", max_length=500, blank=True)
    business_doc_type = models.PositiveSmallIntegerField("Nghiệp vụ (BussinessDocType)", null=True, blank=True)
    status_code = models.CharField("Mã trạng thái", max_length=10, blank=True)
    summary = models.JSONField(default=dict)
    warnings = models.JSONField(default=list, blank=True)
    channel = models.CharField("Kênh nhận", max_length=20, blank=True)
    received_at = models.DateTimeField("Thời điểm nhận", default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    incoming = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="exchange_messages"
    )
    refusal_reason = models.CharField("Lý do từ chối", max_length=2000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "Thông điệp liên thông đã nhận"
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["from_organ_id", "document_id"]),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.STATUS:
            return f"Trạng thái {self.status_code} từ {self.from_organ_id}"
        code = f"{self.code_number}/{self.code_notation}".strip("/")
        return f"Văn bản {code} từ {self.from_organ_id}"


class ReceivedMessageEvent(models.Model):
    """One step of a received document's life, as the edXML status the sender is owed."""

    message = models.ForeignKey(ReceivedMessage, on_delete=models.PROTECT, related_name="events")
    status_code = models.CharField(max_length=2)
    description = models.CharField(max_length=2000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "Trạng thái thông điệp đã nhận"
        constraints = [
            models.UniqueConstraint(fields=["message", "status_code"], name="uniq_received_message_status"),
        ]

    def __str__(self) -> str:
        return f"{self.status_code} ({self.at:%Y-%m-%d %H:%M})"


class ChangeRequest(models.Model):
    """A sender's request about a document it sent us earlier: a document message of
    BussinessDocType 1 (revoke), 2 (update) or 3 (replace), or a status 13 (yêu cầu lấy
    lại). `target` is the received message of the document it refers to (None when no
    such document was found: `state` unmatched, with the warning kept on the message).
    A document not yet registered is changed at once (`applied`, status 15 back); a
    registered one waits for the clerk (`pending` → `accepted` 15 / `refused` 16)."""

    class Kind(models.IntegerChoices):
        REVOKE = 1, "Thu hồi"
        UPDATE = 2, "Cập nhật"
        REPLACE = 3, "Thay thế"

    class State(models.TextChoices):
        PENDING = "pending", "Chờ văn thư quyết định"
        APPLIED = "applied", "Đã áp dụng tự động"
        ACCEPTED = "accepted", "Đã đồng ý"
        REFUSED = "refused", "Đã từ chối"
        UNMATCHED = "unmatched", "Không tìm thấy văn bản được yêu cầu"

    message = models.OneToOneField(ReceivedMessage, on_delete=models.PROTECT, related_name="change_request")
    kind = models.PositiveSmallIntegerField("Yêu cầu", choices=Kind.choices)
    state = models.CharField("Trạng thái", max_length=20, choices=State.choices)
    # What the message names, kept for the clerk when nothing matched.
    reference = models.CharField("Văn bản được yêu cầu", max_length=500, blank=True)
    target = models.ForeignKey(ReceivedMessage, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="change_requests")  # fmt: skip
    incoming = models.ForeignKey(IncomingDocument, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="exchange_changes")  # fmt: skip
    # The document registered from a replacement the clerk accepted (a new số đến).
    replacement = models.ForeignKey(IncomingDocument, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    reason = models.CharField("Lý do của bên gửi", max_length=2000, blank=True)
    refusal_reason = models.CharField("Lý do từ chối", max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Yêu cầu thu hồi, cập nhật, thay thế"
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PENDING, self.State.UNMATCHED) and self.decided_at is None


# --- Transport: partners, outbox, per-recipient status --------------------------------------


class Partner(models.Model):
    """An organ we exchange edXML with: its organ id, where to send (an HTTPS endpoint of
    another vanban or unit software, or a watched folder) and how it proves who it is
    when it sends to us (a bearer token kept only as its SHA-256, and/or the SHA-256
    fingerprint of its client certificate as the reverse proxy reports it)."""

    class Transport(models.TextChoices):
        HTTP = "http", "HTTPS (POST /api/v1/exchange/inbox)"
        FOLDER = "folder", "Thư mục trao đổi"

    organ_id = models.CharField("Mã định danh cơ quan", max_length=64, unique=True)
    name = models.CharField("Tên cơ quan", max_length=500)
    transport = models.CharField("Cách truyền", max_length=10, choices=Transport.choices, default=Transport.HTTP)
    endpoint = models.CharField("Địa chỉ nhận (URL hoặc thư mục)", max_length=1000, blank=True)
    inbound_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Fernet under VANBAN_KEY_ENCRYPTION_KEY (as the organ seal): the token WE present.
    outbound_token_encrypted = models.BinaryField(blank=True, default=b"")
    cert_fingerprint = models.CharField("Vân tay chứng thư máy khách (SHA-256)", max_length=64, blank=True,
                                        db_index=True)  # fmt: skip
    is_active = models.BooleanField("Đang hoạt động", default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = "Cơ quan liên thông"

    def __str__(self) -> str:
        return f"{self.name} ({self.organ_id})"

    @property
    def has_inbound_token(self) -> bool:
        return bool(self.inbound_token_hash)

    @property
    def has_outbound_token(self) -> bool:
        return bool(self.outbound_token_encrypted)


class OutboxMessage(models.Model):
    """One edXML message owed to one partner. Written in the transaction of the business
    change that owes it (issue, recall, a status of a received document), delivered by
    the worker with exponential backoff; after `VANBAN_EXCHANGE_MAX_ATTEMPTS` failures
    it is dead (the dead-letter list) until an administrator retries or abandons it."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Văn bản"
        STATUS = "status", "Trạng thái"

    class State(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        SENDING = "sending", "Đang gửi"
        SENT = "sent", "Đã gửi"
        FAILED = "failed", "Gửi lỗi, sẽ thử lại"
        DEAD = "dead", "Gửi không thành công (đã hết lượt thử)"
        ABANDONED = "abandoned", "Đã hủy gửi"

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="outbox")
    kind = models.CharField("Loại", max_length=10, choices=Kind.choices)
    state = models.CharField("Trạng thái gửi", max_length=10, choices=State.choices, default=State.PENDING)
    # The message id the receiver deduplicates on (a uuid carried in the X-Edxml-Message-Id
    # header and the file name); unique so that enqueueing twice queues once.
    idempotency_key = models.CharField(max_length=200, unique=True)
    raw = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    size = models.PositiveIntegerField(default=0)
    business_doc_type = models.PositiveSmallIntegerField(null=True, blank=True)
    status_code = models.CharField(max_length=2, blank=True)
    document_id = models.CharField("Mã định danh văn bản", max_length=255, blank=True)
    summary = models.CharField("Nội dung", max_length=500, blank=True)
    outgoing = models.ForeignKey(
        "outgoing.OutgoingDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received = models.ForeignKey(ReceivedMessage, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="replies")  # fmt: skip
    attempts = models.PositiveIntegerField("Số lần đã thử", default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.CharField("Lỗi gần nhất", max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "Thông điệp chờ gửi liên thông"
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.partner.organ_id} ({self.state})"


class RecipientStatus(models.Model):
    """What an external recipient of OUR outgoing document has told us (edXML statuses):
    the furthest lifecycle step (01 → 06, never moved back by a late message) and every
    status in `history` as it arrived."""

    RANK = {"01": 1, "02": 2, "03": 3, "04": 4, "05": 5, "06": 6}

    recipient = models.OneToOneField("outgoing.Recipient", on_delete=models.PROTECT, related_name="exchange")
    document_key = models.CharField(max_length=255, db_index=True)
    organ_id = models.CharField(max_length=64)
    status_code = models.CharField(max_length=2, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    description = models.CharField(max_length=2000, blank=True)
    change_code = models.CharField(max_length=2, blank=True)  # 15 / 16 after a recall or update
    history = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "Trạng thái liên thông của nơi nhận"
        constraints = [
            models.UniqueConstraint(fields=["document_key", "organ_id"], name="uniq_recipient_status_key"),
        ]

    def __str__(self) -> str:
        return f"{self.organ_id}: {self.status_code or '-'}"

    @property
    def label(self) -> str:
        from vanban.exchange.messages import STATUS_LABELS

        if not self.status_code:
            return ""
        return f"{self.status_code} – {STATUS_LABELS.get(self.status_code, '')}"

    @property
    def change_entry(self) -> dict | None:
        """The latest answer (15/16) to a recall, update or replacement, from `history`."""
        answers = [h for h in self.history if h.get("code") == self.change_code]
        return answers[-1] if self.change_code and answers else None

    @property
    def change_label(self) -> str:
        from vanban.exchange.messages import STATUS_LABELS

        if not self.change_code:
            return ""
        return f"{self.change_code} – {STATUS_LABELS.get(self.change_code, '')}"

    @property
    def change_description(self) -> str:
        entry = self.change_entry
        return str(entry.get("description", "")) if entry else ""

    @property
    def change_at(self) -> str | None:
        entry = self.change_entry
        return str(entry["at"]) if entry and entry.get("at") else None
