"""Văn bản đến: the incoming register entry (ND30 App VI Part II, domain.md §3.3), its
files and its lifecycle events (which the exchange issue maps to edXML status 01–06)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vanban.documents.catalogue import ReceiptMethod, Secrecy, Urgency
from vanban.documents.models import DocumentFileBase, DocumentType, Register
from vanban.organisation.models import Organ


class IncomingDocument(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", "Đã đăng ký, chờ trình"
        PRESENTED = "presented", "Chờ lãnh đạo cho ý kiến"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        COMPLETED = "completed", "Đã xử lý xong"

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="incoming_documents")
    arrival_number = models.PositiveIntegerField("Số đến")
    arrival_date = models.DateTimeField("Ngày đến")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    code_number = models.CharField("Số", max_length=11, blank=True)
    # Kept as written ("QĐ-BCT"); compared case-insensitively for duplicates.
    code_notation = models.CharField("Ký hiệu", max_length=30, blank=True)
    issued_date = models.DateField("Ngày văn bản")
    issuing_organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("Trích yếu", max_length=500)
    language = models.CharField("Ngôn ngữ", max_length=30, default="Tiếng Việt")
    page_amount = models.PositiveSmallIntegerField("Số trang", null=True, blank=True)
    description = models.CharField("Ghi chú", max_length=500, blank=True)
    signer_name = models.CharField("Người ký", max_length=50, blank=True)
    signer_position = models.CharField("Chức vụ người ký", max_length=100, blank=True)
    urgency = models.CharField("Độ khẩn", max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    # Only "không mật" is ever stored: the registration refuses the others.
    secrecy = models.CharField("Độ mật", max_length=20, choices=Secrecy.choices, default=Secrecy.NONE)
    receipt_method = models.CharField(
        "Phương thức nhận", max_length=20, choices=ReceiptMethod.choices, default=ReceiptMethod.PAPER
    )
    due_date = models.DateField("Thời hạn giải quyết", null=True, blank=True)
    to_places = models.CharField("Đơn vị hoặc người nhận", max_length=1000, blank=True)
    # Normalised copies for the duplicate check (number as integer, notation folded).
    number_key = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    notation_key = models.CharField(max_length=30, blank=True, editable=False)
    status = models.CharField("Trạng thái", max_length=20, choices=Status.choices, default=Status.REGISTERED)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField("Thời điểm đăng ký", default=timezone.now)

    class Meta:
        ordering = ["-arrival_date", "-pk"]
        verbose_name = "Văn bản đến"
        constraints = [
            models.UniqueConstraint(fields=["register", "arrival_number"], name="uniq_incoming_arrival_number"),
            models.CheckConstraint(condition=Q(secrecy=Secrecy.NONE), name="incoming_not_secret"),
        ]
        indexes = [
            models.Index(fields=["issuing_organ", "number_key", "issued_date"]),
            models.Index(fields=["registered_by"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"Văn bản đến số {self.arrival_number} ({self.register.year})"

    @property
    def number_symbol(self) -> str:
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation


class IncomingFile(DocumentFileBase):
    document = models.ForeignKey(IncomingDocument, on_delete=models.PROTECT, related_name="files")

    class Meta(DocumentFileBase.Meta):
        verbose_name = "Tệp văn bản đến"
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="uniq_incoming_file_pos")]


class IncomingEvent(models.Model):
    """A step of the document's life in the form the exchange issue sends as edXML
    status messages (received 01, refused 02, registered 03, assigned 04, in progress 05,
    completed 06). A refusal has no document: secret packets leave no content."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Đã đến"
        REFUSED = "refused", "Từ chối"
        REGISTERED = "registered", "Đã tiếp nhận"
        ASSIGNED = "assigned", "Phân công"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        COMPLETED = "completed", "Hoàn thành"

    EDXML_STATUS = {"received": "01", "refused": "02", "registered": "03", "assigned": "04",
                    "in_progress": "05", "completed": "06"}  # fmt: skip

    document = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "Sự kiện văn bản đến"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"

    @property
    def edxml_status(self) -> str:
        return self.EDXML_STATUS[self.kind]
