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
