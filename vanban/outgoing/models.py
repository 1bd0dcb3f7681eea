"""Văn bản đi (ND30 Art 10–16, App VI Part I): a draft with its versions, the review
chain and opinions, then signing, numbering, issuing and circulation.

A document is a draft until issued; every file is a `Version` (never overwritten): the
drafter's DOCX/PDF versions, a reviewer's edited version, the final PDF, the signed,
numbered and sealed PDFs. Once issued the document is immutable: corrections are new
documents that recall, update or replace it (`relation`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vanban.documents.catalogue import Urgency
from vanban.documents.models import DocumentType, Register, StoredFile
from vanban.incoming.models import IncomingDocument
from vanban.organisation.models import Organ, Unit
from vanban.organisation.roles import SigningAuthority


class OutgoingDocument(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        IN_REVIEW = "in_review", "Đang trình duyệt"
        RETURNED = "returned", "Bị trả lại, cần sửa"
        APPROVED = "approved", "Đã duyệt, chờ ký"
        SIGNED = "signed", "Đã ký, chờ ban hành"
        ISSUED = "issued", "Đã ban hành"
        RECALLED = "recalled", "Đã thu hồi"

    class Relation(models.TextChoices):
        NEW = "new", "Văn bản mới"
        UPDATE = "update", "Cập nhật văn bản đã ban hành"
        REPLACE = "replace", "Thay thế văn bản đã ban hành"

    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    drafting_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="outgoing_drafts")
    document_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("Trích yếu", max_length=500)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_position = models.CharField("Chức vụ người ký", max_length=100, blank=True)
    signing_authority = models.CharField(
        "Quyền hạn ký", max_length=5, choices=SigningAuthority.choices, blank=True
    )
    to_places = models.CharField("Nơi nhận", max_length=2000, blank=True)
    urgency = models.CharField("Độ khẩn", max_length=20, choices=Urgency.choices, default=Urgency.NORMAL)
    # "Hạn chế công bố": issued, but never circulated or exchanged by the system.
    restricted = models.BooleanField("Hạn chế công bố", default=False)
    page_amount = models.PositiveSmallIntegerField("Số trang", null=True, blank=True)
    reply_to = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    for_assignment = models.ForeignKey(
        "workflow.Assignment", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    relation = models.CharField(max_length=10, choices=Relation.choices, default=Relation.NEW)
    relates_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Set when issued (ND30 Art 15: number, date, register, then the organ signature).
    register = models.ForeignKey(Register, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField("Số", null=True, blank=True)
    code_notation = models.CharField("Ký hiệu", max_length=30, blank=True)
    issued_date = models.DateField("Ngày ban hành", null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recalled_at = models.DateTimeField(null=True, blank=True)
    recall_reason = models.CharField("Lý do thu hồi", max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Văn bản đi"
        indexes = [
            models.Index(fields=["created_by", "status"]),
            models.Index(fields=["drafting_unit", "status"]),
            models.Index(fields=["status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["register", "number"], condition=Q(number__isnull=False),
                                    name="uniq_outgoing_number"),
        ]

    def __str__(self) -> str:
        return self.number_symbol or f"Dự thảo: {self.subject[:60]}"

    @property
    def number_symbol(self) -> str:
        if self.number is None:
            return ""
        return f"{self.number:02d}/{self.code_notation}" if self.code_notation else f"{self.number:02d}"

    @property
    def is_issued(self) -> bool:
        return self.status in (self.Status.ISSUED, self.Status.RECALLED)


class Version(models.Model):
    class Kind(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        EDITED = "edited", "Bản sửa của người duyệt"
        FINAL = "final", "Bản cuối để ký"
        SIGNED = "signed", "Bản đã ký số"
        ISSUED = "issued", "Bản ban hành (đã ghi số, đóng dấu số)"

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DRAFT)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    comment = models.CharField("Ghi chú phiên bản", max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        verbose_name = "Phiên bản"
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="uniq_outgoing_version")]

    def __str__(self) -> str:
        return f"Phiên bản {self.number} ({self.get_kind_display()})"


class ReviewTask(models.Model):
    """One step of the review chain (ND30 Art 11–12: content by the unit's head, form
    by the designated checker, then the signer). Tasks of one submission run in order;
    `round` counts submissions (a return starts a new round)."""

    class Step(models.TextChoices):
        DEPARTMENT_HEAD = "department_head", "Lãnh đạo phòng"
        UNIT_LEADER = "unit_leader", "Lãnh đạo đơn vị"
        CHECKER = "checker", "Kiểm tra thể thức"
        SIGNER = "signer", "Người ký"

    class Status(models.TextChoices):
        WAITING = "waiting", "Chờ đến lượt"
        PENDING = "pending", "Đang chờ duyệt"
        APPROVED = "approved", "Đã duyệt"
        RETURNED = "returned", "Trả lại"
        CANCELLED = "cancelled", "Hủy (văn bản bị trả lại)"

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(default=1)
    order = models.PositiveSmallIntegerField()
    step = models.CharField(max_length=20, choices=Step.choices)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    comment = models.CharField("Ý kiến", max_length=4000, blank=True)
    version = models.ForeignKey(Version, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "order"]
        verbose_name = "Bước duyệt"
        indexes = [models.Index(fields=["reviewer", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["document", "round", "order"], name="uniq_review_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.reviewer}"


class Submission(models.Model):
    """Phiếu trình: what the drafter submits with a round."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="submissions")
    round = models.PositiveSmallIntegerField()
    note = models.CharField("Nội dung trình", max_length=4000)
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round"]
        constraints = [models.UniqueConstraint(fields=["document", "round"], name="uniq_submission_round")]

    def __str__(self) -> str:
        return f"Phiếu trình lần {self.round}"


class ReviewRoute(models.Model):
    """Which review steps a draft goes through, per document type and drafting unit;
    the most specific route wins (type+unit, unit, type, default)."""

    document_type = models.ForeignKey(DocumentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    steps = models.JSONField(default=list)

    class Meta:
        verbose_name = "Quy trình duyệt"
        constraints = [
            models.UniqueConstraint(fields=["document_type", "unit"], name="uniq_review_route"),
        ]

    def __str__(self) -> str:
        return " → ".join(self.steps)


class OpinionRequest(models.Model):
    """Xin ý kiến: a cooperating unit or person is asked for an opinion by a deadline."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ ý kiến"
        ANSWERED = "answered", "Đã góp ý"

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="opinions")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question = models.CharField("Nội dung xin ý kiến", max_length=2000)
    deadline = models.DateField("Hạn góp ý")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    answer = models.CharField("Ý kiến góp ý", max_length=4000, blank=True)
    answer_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = "Xin ý kiến"
        constraints = [
            models.CheckConstraint(condition=Q(unit__isnull=False) | Q(user__isnull=False),
                                   name="opinion_has_addressee"),
        ]

    def __str__(self) -> str:
        return f"Xin ý kiến ({self.get_status_display()})"


class Recipient(models.Model):
    """Nơi nhận in structured form: an internal unit or person (circulated inside the
    ministry on issue) or an external organ (handed to the exchange outbox)."""

    class Delivery(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        DELIVERED = "delivered", "Đã chuyển"
        READ = "read", "Đã xem"
        HELD = "held", "Không gửi (hạn chế công bố)"
        QUEUED = "queued", "Chờ gửi liên thông"
        SENDING = "sending", "Đang gửi thư điện tử"
        FAILED = "failed", "Gửi không thành công"

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="recipients")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organ = models.ForeignKey(Organ, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField("Thư điện tử", blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.PENDING)
    error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    incoming = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = "Nơi nhận"
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(user__isnull=False) | Q(organ__isnull=False) | ~Q(email=""),
                name="recipient_has_target",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.unit_id:
            return self.unit.name
        if self.user_id:
            return self.user.full_name or self.user.username
        return self.organ.name if self.organ_id else self.email


class Event(models.Model):
    """The document's history: every action with who, when, on whose behalf."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=40)
    text = models.CharField(max_length=4000, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["document", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} ({self.at:%d/%m/%Y %H:%M})"


class Copy(models.Model):
    """Bản sao (ND30 Art 25–27): sao y, trích sao, sao lục of an issued document, with
    their own yearly series shared by the three kinds ("05/SY-BCT")."""

    class Kind(models.TextChoices):
        SAO_Y = "sao_y", "Sao y"
        TRICH_SAO = "trich_sao", "Trích sao"
        SAO_LUC = "sao_luc", "Sao lục"

    ABBREVIATIONS = {"sao_y": "SY", "trich_sao": "TrS", "sao_luc": "SL"}

    document = models.ForeignKey(OutgoingDocument, on_delete=models.PROTECT, related_name="copies")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    code_notation = models.CharField(max_length=30)
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255)
    note = models.CharField("Ghi chú", max_length=2000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        verbose_name = "Bản sao"
        constraints = [models.UniqueConstraint(fields=["register", "number"], name="uniq_copy_number")]

    def __str__(self) -> str:
        return self.number_symbol

    @property
    def number_symbol(self) -> str:
        return f"{self.number:02d}/{self.code_notation}"
