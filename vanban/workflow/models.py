"""Trình, chỉ đạo, giao việc (ND30 Art 22–24; issue 3 "Present, direct, assign, process").

A clerk presents (trình) an incoming document to a leader; the leader writes a direction
(bút phê) that creates assignments: exactly one lead (chủ trì), any number cooperating
(phối hợp) and for information (để biết), each to a unit or a person with a deadline.
A unit leader re-assigns a unit's assignment down the unit (a child direction whose
assignments point to their parent). Directions and the step log are never edited: the
timeline (`Step`) is an append-only record of who did what, when, on whose behalf."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vanban.documents.models import StoredFile
from vanban.incoming.models import IncomingDocument
from vanban.organisation.models import Unit


class Task(models.Model):
    """Giao việc trực tiếp: work a leader gives that does not come from a document. Its
    direction, assignments and timeline are the same rows as a document's, pointing
    here instead of at an IncomingDocument."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "Đang thực hiện"
        COMPLETED = "completed", "Đã hoàn thành"

    title = models.CharField("Tên công việc", max_length=500)
    content = models.CharField("Nội dung", max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Công việc giao trực tiếp"
        indexes = [models.Index(fields=["created_by", "status"])]

    def __str__(self) -> str:
        return self.title

    # The attributes templates read from a document, so boxes list both alike.
    urgency = "normal"
    due_date = None


def _one_subject(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(document__isnull=False) & Q(task__isnull=True)) | (Q(document__isnull=True) & Q(task__isnull=False)),
        name=name,
    )


class Presentation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Chờ cho ý kiến"
        DIRECTED = "directed", "Đã cho ý kiến chỉ đạo"
        FORWARDED = "forwarded", "Đã chuyển lãnh đạo khác"
        WITHDRAWN = "withdrawn", "Đã rút lại"

    document = models.ForeignKey(IncomingDocument, on_delete=models.PROTECT, related_name="presentations")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposal = models.CharField("Đề xuất", max_length=2000, blank=True)
    presented_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    presented_at = models.DateTimeField(default=timezone.now)
    # A forward is a new presentation to another leader; it keeps where it came from.
    forwarded_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="forwards"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-presented_at", "-pk"]
        verbose_name = "Trình văn bản"
        indexes = [models.Index(fields=["leader", "status"])]
        constraints = [
            # One open presentation per document at a time: the document has one owner.
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="pending"), name="uniq_pending_presentation"
            )
        ]

    def __str__(self) -> str:
        return f"Trình văn bản đến số {self.document.arrival_number}"


class Direction(models.Model):
    """Ý kiến chỉ đạo: an administrative order. Never edited or deleted."""

    document = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="directions"
    )
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="directions")
    presentation = models.ForeignKey(
        Presentation, null=True, blank=True, on_delete=models.PROTECT, related_name="directions"
    )
    # Set when a unit leader re-assigns a unit's assignment within the unit.
    parent_assignment = models.ForeignKey(
        "Assignment", null=True, blank=True, on_delete=models.PROTECT, related_name="directions"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField("Ý kiến chỉ đạo", max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "Ý kiến chỉ đạo"
        constraints = [_one_subject("direction_one_subject")]

    def __str__(self) -> str:
        return f"Chỉ đạo của {self.author} ({self.created_at:%d/%m/%Y})"


class Assignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Chủ trì"
        COOPERATE = "cooperate", "Phối hợp"
        INFO = "info", "Để biết"

    class Status(models.TextChoices):
        ASSIGNED = "assigned", "Mới giao"
        IN_PROGRESS = "in_progress", "Đang xử lý"
        COMPLETED = "completed", "Hoàn thành"
        RETURNED = "returned", "Đã trả lại"
        READ = "read", "Đã xem"

    OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)

    document = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments")
    direction = models.ForeignKey(Direction, on_delete=models.PROTECT, related_name="assignments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    role = models.CharField("Vai trò", max_length=20, choices=Role.choices)
    assignee_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    deadline = models.DateField("Hạn xử lý", null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    progress = models.PositiveSmallIntegerField("Tiến độ (%)", default=0)
    result = models.CharField("Kết quả xử lý", max_length=4000, blank=True)
    return_reason = models.CharField("Lý do trả lại", max_length=2000, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "pk"]
        verbose_name = "Giao xử lý"
        indexes = [
            models.Index(fields=["assignee_user", "status"]),
            models.Index(fields=["assignee_unit", "status"]),
            models.Index(fields=["assigned_by", "status"]),
            models.Index(fields=["document", "status"]),
            models.Index(fields=["task", "status"]),
            models.Index(fields=["deadline"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(assignee_unit__isnull=True) & Q(assignee_user__isnull=False))
                | (Q(assignee_unit__isnull=False) & Q(assignee_user__isnull=True)),
                name="assignment_one_assignee",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="assignment_progress_range"),
            _one_subject("assignment_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.assignee_label}"

    @property
    def assignee_label(self) -> str:
        if self.assignee_unit_id:
            return self.assignee_unit.name
        user = self.assignee_user
        return (user.full_name or user.username) if user else ""

    @property
    def subject(self) -> IncomingDocument | Task:
        """What the work is about: the incoming document, or the direct task."""
        return self.document if self.document_id else self.task

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return bool(self.deadline and self.is_open and self.deadline < timezone.localdate())


class ExtensionRequest(models.Model):
    """Xin gia hạn: decided by whoever gave the assignment (or their delegate)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ duyệt"
        APPROVED = "approved", "Đã đồng ý"
        REFUSED = "refused", "Không đồng ý"

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    old_deadline = models.DateField(null=True, blank=True)
    new_deadline = models.DateField("Hạn đề nghị")
    reason = models.CharField("Lý do", max_length=2000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("Ý kiến", max_length=2000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "Đề nghị gia hạn"
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(status="pending"), name="uniq_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"Gia hạn đến {self.new_deadline:%d/%m/%Y}"


class Step(models.Model):
    """One line of a document's timeline. Append-only; notes, progress reports,
    contributions and intermediate files are steps too (with text and/or a file)."""

    class Kind(models.TextChoices):
        PRESENTED = "presented", "Trình lãnh đạo"
        FORWARDED = "forwarded", "Chuyển lãnh đạo khác"
        DIRECTED = "directed", "Cho ý kiến chỉ đạo"
        ASSIGNED = "assigned", "Giao xử lý"
        REASSIGNED = "reassigned", "Giao tiếp trong đơn vị"
        STARTED = "started", "Bắt đầu xử lý"
        NOTE = "note", "Ghi chú"
        PROGRESS = "progress", "Cập nhật tiến độ"
        FILE = "file", "Thêm tệp"
        CONTRIBUTION = "contribution", "Ý kiến phối hợp"
        EXTENSION_REQUESTED = "extension_requested", "Xin gia hạn"
        EXTENSION_APPROVED = "extension_approved", "Đồng ý gia hạn"
        EXTENSION_REFUSED = "extension_refused", "Không đồng ý gia hạn"
        RETURNED = "returned", "Trả lại"
        COMPLETED = "completed", "Hoàn thành"
        READ = "read", "Đã xem (để biết)"
        URGED = "urged", "Đôn đốc"
        CREATED = "created", "Giao việc trực tiếp"

    document = models.ForeignKey(
        IncomingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.PROTECT, related_name="steps")
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    text = models.CharField(max_length=4000, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "Bước xử lý"
        indexes = [
            models.Index(fields=["document", "at"]),
            models.Index(fields=["assignment", "at"]),
            models.Index(fields=["task", "at"]),
        ]
        constraints = [_one_subject("step_one_subject")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%d/%m/%Y %H:%M})"
