"""What incoming and outgoing documents share: the document-type catalogue, stored
files (content-addressed, design.md rule 7) and registers with their counters
(design.md rule 6)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from vanban.documents.catalogue import TypeGroup
from vanban.organisation.models import Organ, Unit

# --- Document types ------------------------------------------------------------------


class DocumentType(models.Model):
    """Loại văn bản (ND30 App III and the normative types). Never deleted: a type that
    is no longer used is deactivated, so old documents keep their type."""

    code = models.SlugField("Mã", max_length=60, unique=True)
    name = models.CharField("Tên loại văn bản", max_length=100)
    abbreviation = models.CharField("Chữ viết tắt", max_length=10, blank=True)
    group = models.CharField("Nhóm", max_length=20, choices=TypeGroup.choices, default=TypeGroup.ADMINISTRATIVE)
    # A kind that must not enter the system (đơn thư tố cáo): choosing it refuses.
    is_forbidden = models.BooleanField("Không được đưa vào hệ thống", default=False)
    is_builtin = models.BooleanField("Có sẵn theo quy định", default=False)
    is_active = models.BooleanField("Đang sử dụng", default=True)
    sort_order = models.PositiveIntegerField("Thứ tự", default=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = "Loại văn bản"
        constraints = [models.UniqueConstraint(Lower("name"), name="uniq_document_type_name_ci")]

    def __str__(self) -> str:
        return self.name

    @property
    def base_name(self) -> str:
        """The name as printed on a document and in edXML TypeName: "Quyết định" for
        "Quyết định (cá biệt)"."""
        return re.sub(r"\s*\([^)]*\)\s*$", "", self.name)


# --- Stored files ----------------------------------------------------------------------


class StoredFile(models.Model):
    """One immutable object in storage, named by the SHA-256 of its bytes. The same bytes
    uploaded twice are one object; documents point at it through a link table (see
    DocumentFileBase) that carries the role, order and the name given for that document.
    Derived files (OCR'd PDF/A, extracted text, thumbnails) are objects of their own
    pointing at their source."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "Ảnh PNG"
        JPEG = "jpeg", "Ảnh JPEG"
        TIFF = "tiff", "Ảnh TIFF"
        DOCX = "docx", "Word (DOCX)"
        XLSX = "xlsx", "Excel (XLSX)"
        ODT = "odt", "OpenDocument (ODT)"
        DOC = "doc", "Word 97–2003 (DOC)"
        XLS = "xls", "Excel 97–2003 (XLS)"
        ZIP = "zip", "Tệp nén ZIP"
        TEXT = "text", "Văn bản thuần"

    class Derivation(models.TextChoices):
        OCR_PDFA = "ocr_pdfa", "PDF/A có lớp chữ (OCR)"
        TEXT = "text", "Nội dung chữ trích xuất"
        THUMBNAIL = "thumbnail", "Ảnh thu nhỏ"
        PREVIEW = "preview", "Bản xem trước"

    sha256 = models.CharField("Mã băm SHA-256", max_length=64, unique=True)
    size = models.PositiveBigIntegerField("Kích thước (byte)")
    kind = models.CharField("Loại tệp", max_length=10, choices=Kind.choices)
    content_type = models.CharField("Kiểu nội dung", max_length=100)
    original_name = models.CharField("Tên tệp gốc", max_length=255)
    page_count = models.PositiveIntegerField("Số trang", null=True, blank=True)
    is_signed_pdf = models.BooleanField("PDF có chữ ký số", default=False)
    source = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="derivatives")
    derivation = models.CharField(max_length=20, choices=Derivation.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "Tệp lưu trữ"
        constraints = [
            models.CheckConstraint(
                condition=Q(source__isnull=True, derivation="") | Q(source__isnull=False) & ~Q(derivation=""),
                name="stored_file_derivation_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]}…)"

    @property
    def storage_name(self) -> str:
        from vanban.documents.storage import blob_name

        return blob_name(self.sha256)


class SignatureReport(models.Model):
    """The last signature check of a stored PDF (vanban.signatures.validation): kept per
    file, since the bytes never change; re-checked on request, as trust roots and
    revocation data change with time. `report` is PdfReport.as_dict()."""

    class State(models.TextChoices):
        PENDING = "pending", "Đang kiểm tra chữ ký"
        DONE = "done", "Đã kiểm tra"
        FAILED = "failed", "Không kiểm tra được"

    file = models.OneToOneField(StoredFile, on_delete=models.CASCADE, related_name="signature_report")
    state = models.CharField("Trạng thái", max_length=10, choices=State.choices, default=State.PENDING)
    ok = models.BooleanField("Chữ ký nguyên vẹn", null=True, blank=True)
    trusted = models.BooleanField("Chứng thư được xác thực", null=True, blank=True)
    signature_count = models.PositiveSmallIntegerField("Số chữ ký", default=0)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    report = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField("Kiểm tra lúc", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Kết quả kiểm tra chữ ký số"

    def __str__(self) -> str:
        return f"{self.get_state_display()}: {self.file}"

    @property
    def signatures(self) -> list[dict[str, Any]]:
        """The report's signatures with their times as the page shows them (dd/mm/yyyy)."""
        shown = []
        for sig in self.report.get("signatures") or []:
            timestamp = sig.get("timestamp") or {}
            shown.append(
                {
                    **sig,
                    "signing_time_display": _display_iso(sig.get("signing_time")),
                    "timestamp_display": _display_iso(timestamp.get("time")),
                }
            )
        return shown


def _display_iso(value: str | None) -> str:
    if not value:
        return ""
    try:
        return dt.datetime.fromisoformat(value).strftime("%d/%m/%Y %H:%M:%S")
    except ValueError:
        return value


class FileRole(models.TextChoices):
    MAIN = "main", "Văn bản chính"
    ATTACHMENT = "attachment", "Tệp đính kèm"


class DocumentFileBase(models.Model):
    """How a document points at its files: many per document, ordered, each with a role.
    A concrete link adds the FK to its document and extends this Meta, e.g.

        class IncomingFile(DocumentFileBase):
            document = models.ForeignKey(IncomingDocument, on_delete=models.PROTECT, related_name="files")

            class Meta(DocumentFileBase.Meta):
                constraints = [models.UniqueConstraint(fields=["document", "position"], name="uniq_incoming_file_pos")]
    """

    file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("Vai trò", max_length=20, choices=FileRole.choices, default=FileRole.MAIN)
    position = models.PositiveSmallIntegerField("Thứ tự")  # 1-based within the document
    # The name given for this document (the StoredFile keeps the first name it was seen with).
    name = models.CharField("Tên tệp", max_length=255)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["position"]


# --- Registers and numbering -------------------------------------------------------------


class Register(models.Model):
    """Sổ đăng ký văn bản đến / đi of an organ (unit empty) or of a unit with its own
    clerk, for one calendar year. Numbers run from 1 within a register; the default
    register of an owner, kind and year is the one registration uses unless told."""

    class Kind(models.TextChoices):
        INCOMING = "incoming", "Văn bản đến"
        OUTGOING = "outgoing", "Văn bản đi"

    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="registers")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="registers")
    kind = models.CharField("Loại sổ", max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("Năm")
    name = models.CharField("Tên sổ", max_length=200)
    is_default = models.BooleanField("Sổ mặc định", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "kind", "organ__name", "unit__path", "name"]
        verbose_name = "Sổ văn bản"
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "kind", "year"],
                condition=Q(is_default=True, unit__isnull=True),
                name="uniq_default_register_of_organ",
            ),
            models.UniqueConstraint(
                fields=["unit", "kind", "year"],
                condition=Q(is_default=True, unit__isnull=False),
                name="uniq_default_register_of_unit",
            ),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=9999), name="register_year_range"),
        ]
        indexes = [models.Index(fields=["year", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> Organ | Unit:
        return self.unit if self.unit_id else self.organ


class RegisterCounter(models.Model):
    """The last number taken in a register. Locked by the registering transaction
    (SELECT … FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite): a rolled-back
    registration gives its number back, so numbers stay gapless."""

    register = models.OneToOneField(Register, primary_key=True, on_delete=models.PROTECT, related_name="counter")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "Bộ đếm số"

    def __str__(self) -> str:
        return f"{self.register}: {self.last_number}"
