"""Hồ sơ (ND30 Art 28–31, App V; record fields of App VI II.III, domain.md §5): the yearly
file plan (danh mục hồ sơ), the files (Dossier) opened from it with their items, and the
transfer lists (nộp lưu) that hand closed files to the organ's archive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from vanban.documents.models import StoredFile
from vanban.incoming.models import IncomingDocument
from vanban.organisation.models import Organ, Unit
from vanban.outgoing.models import OutgoingDocument

PERMANENT = "Vĩnh viễn"


class Retention(models.Model):
    """Thời hạn bảo quản: a number of years, or permanent (`retention_years` null)."""

    retention_years = models.PositiveSmallIntegerField("Thời hạn bảo quản (năm)", null=True, blank=True)
    retention_permanent = models.BooleanField("Bảo quản vĩnh viễn", default=False)

    class Meta:
        abstract = True

    @property
    def retention_label(self) -> str:
        return PERMANENT if self.retention_permanent else f"{self.retention_years} năm"


class DossierPlan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        APPROVED = "approved", "Đã duyệt"
        PUBLISHED = "published", "Đã ban hành"

    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("Năm")
    title = models.CharField("Tên danh mục", max_length=300)
    state = models.CharField("Trạng thái", max_length=10, choices=State.choices, default=State.DRAFT)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = "Danh mục hồ sơ"
        constraints = [models.UniqueConstraint(fields=["organ", "year"], name="uniq_dossier_plan_year")]

    def __str__(self) -> str:
        return f"Danh mục hồ sơ năm {self.year}"


class PlanHeading(models.Model):
    """Đề mục: major headings numbered in Roman numerals, sub-headings in Arabic ones."""

    plan = models.ForeignKey(DossierPlan, on_delete=models.CASCADE, related_name="headings")
    code = models.CharField("Số thứ tự đề mục", max_length=10)
    title = models.CharField("Tên đề mục", max_length=300)
    abbreviation = models.CharField("Chữ viết tắt", max_length=20, blank=True)
    position = models.PositiveSmallIntegerField("Thứ tự")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "Đề mục"

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class PlanEntry(Retention):
    plan = models.ForeignKey(DossierPlan, on_delete=models.CASCADE, related_name="entries")
    heading = models.ForeignKey(PlanHeading, on_delete=models.CASCADE, related_name="entries")
    notation = models.CharField("Số và ký hiệu hồ sơ", max_length=20)
    title = models.CharField("Tiêu đề hồ sơ", max_length=500)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="Đơn vị lập hồ sơ")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="Người lập hồ sơ",
    )
    note = models.CharField("Ghi chú", max_length=500, blank=True)
    position = models.PositiveSmallIntegerField("Thứ tự")

    class Meta:
        ordering = ["heading__position", "position", "pk"]
        verbose_name = "Hồ sơ trong danh mục"
        constraints = [models.UniqueConstraint(fields=["plan", "notation"], name="uniq_plan_entry_notation")]

    def __str__(self) -> str:
        return f"{self.notation} {self.title}"


class Dossier(Retention):
    """Hồ sơ. Open files take items; a closed one is immutable (reopening is recorded);
    a transferred one is read-only for good at the source; an archived one was imported
    from a transfer package into this instance's archive and is read-only too."""

    class State(models.TextChoices):
        OPEN = "open", "Đang lập"
        CLOSED = "closed", "Đã đóng"
        TRANSFERRED = "transferred", "Đã nộp lưu"
        ARCHIVED = "archived", "Lưu trữ cơ quan (đã tiếp nhận)"

    organ_code = models.CharField("Mã định danh cơ quan", max_length=13)
    year = models.PositiveSmallIntegerField("Năm hình thành hồ sơ")
    notation = models.CharField("Số và ký hiệu hồ sơ", max_length=20)
    plan_entry = models.ForeignKey(PlanEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="dossiers")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("Tiêu đề hồ sơ", max_length=500)
    rights = models.CharField("Chế độ sử dụng", max_length=30, default="Công khai")
    creator_name = models.CharField("Người lập hồ sơ", max_length=30, blank=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField("Ngôn ngữ", max_length=50, default="Tiếng Việt")
    start_date = models.DateField("Thời gian bắt đầu", null=True, blank=True)
    end_date = models.DateField("Thời gian kết thúc", null=True, blank=True)
    info_symbol = models.CharField("Ký hiệu thông tin", max_length=30, blank=True)
    keywords = models.CharField("Từ khóa", max_length=300, blank=True)
    physical_state = models.CharField("Tình trạng vật lý", max_length=50, default="Bình thường")
    description = models.CharField("Ghi chú", max_length=500, blank=True)
    state = models.CharField("Trạng thái", max_length=12, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip
    legal_hold = models.BooleanField("Phong tỏa pháp lý", default=False)
    legal_hold_reason = models.CharField("Lý do phong tỏa", max_length=1000, blank=True)
    transferred_at = models.DateTimeField(null=True, blank=True)
    # Archive copies: the metadata exactly as the package carried it (nothing lost).
    source_metadata = models.JSONField(default=dict, blank=True)
    source_package_sha256 = models.CharField(max_length=64, blank=True)
    # Counts fixed at closing (App VI: DocTotal/PageTotal are system-filled).
    doc_total = models.PositiveSmallIntegerField("Tổng số văn bản", default=0)
    page_total = models.PositiveIntegerField("Tổng số trang", default=0)

    class Meta:
        ordering = ["-year", "notation", "pk"]
        verbose_name = "Hồ sơ"
        constraints = [
            models.UniqueConstraint(
                fields=["organ_code", "year", "notation"], condition=~Q(state="archived"), name="uniq_dossier_code"
            ),
            models.UniqueConstraint(
                fields=["organ_code", "year", "notation"], condition=Q(state="archived"), name="uniq_archived_code"
            ),
        ]
        indexes = [models.Index(fields=["state", "unit"])]

    def __str__(self) -> str:
        return f"Hồ sơ {self.notation} ({self.year})"

    @property
    def code(self) -> str:
        """Mã hồ sơ = OrganId + FileCatalog + FileNotation (App VI II.III)."""
        return f"{self.organ_code}.{self.year}.{self.notation}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class DossierItem(models.Model):
    """One document in a file: an incoming or outgoing document (the same document may
    sit in several files without copying) or another material (a stored file with a title)."""

    class Kind(models.TextChoices):
        INCOMING = "incoming", "Văn bản đến"
        OUTGOING = "outgoing", "Văn bản đi"
        MATERIAL = "material", "Tài liệu khác"

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField("Số thứ tự văn bản trong hồ sơ")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    incoming = models.ForeignKey(IncomingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outgoing = models.ForeignKey(OutgoingDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("Tiêu đề", max_length=500)
    # Archive copies keep the item metadata exactly as the package carried it.
    metadata = models.JSONField(default=dict, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")  # fmt: skip
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "Văn bản trong hồ sơ"
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "incoming"], condition=Q(incoming__isnull=False), name="uniq_dossier_incoming"
            ),
            models.UniqueConstraint(
                fields=["dossier", "outgoing"], condition=Q(outgoing__isnull=False), name="uniq_dossier_outgoing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ArchivedItemFile(models.Model):
    """The files of an item imported into the archive, in package order."""

    item = models.ForeignKey(DossierItem, on_delete=models.PROTECT, related_name="archived_files")
    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=255)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class DossierReopening(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="reopenings")
    reason = models.CharField("Lý do mở lại", max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.reason[:80]


class Transfer(models.Model):
    """Danh sách hồ sơ nộp lưu: prepared by a clerk, approved by a leader, then exported
    as a package by a background job; the files are then transferred."""

    class State(models.TextChoices):
        DRAFT = "draft", "Đang lập"
        APPROVED = "approved", "Đã duyệt"
        EXPORTING = "exporting", "Đang xuất gói"
        EXPORTED = "exported", "Đã xuất gói, đã nộp lưu"

    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("Tên danh sách", max_length=300)
    dossiers = models.ManyToManyField(Dossier, related_name="transfers", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    approved_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    package_path = models.CharField(max_length=500, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Danh sách nộp lưu"

    def __str__(self) -> str:
        return self.title
