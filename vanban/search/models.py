"""The search index (one row per document) and the text extracted from stored files.

`SearchEntry` copies what the filters need from the document (so a filtered search is one
table plus the permission semi-join) and the text the snippets are cut from. The word
index itself lives beside it, written by `indexing.write_vectors` in the same
transaction: a `tsv tsvector` column with a GIN index on PostgreSQL (migration 0002), the
FTS5 table `search_terms` (rowid = entry id; migration 0006, which replaced 0002's
`search_fts`) on SQLite; each migration acts on its own engine only."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from vanban.documents.models import DocumentType, Register, StoredFile
from vanban.organisation.models import Organ, Unit


class SearchEntry(models.Model):
    class Kind(models.TextChoices):
        INCOMING = "incoming", "Văn bản đến"
        OUTGOING = "outgoing", "Văn bản đi"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    incoming = models.OneToOneField(
        "incoming.IncomingDocument", null=True, blank=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    outgoing = models.OneToOneField(
        "outgoing.OutgoingDocument", null=True, blank=True, on_delete=models.CASCADE, related_name="search_entry"
    )
    number_symbol = models.CharField("Số, ký hiệu", max_length=60, blank=True)
    subject = models.CharField("Trích yếu", max_length=500)
    document_type = models.ForeignKey(DocumentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organ = models.ForeignKey(Organ, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    register = models.ForeignKey(Register, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signer_name = models.CharField("Người ký", max_length=100, blank=True)
    signer_folded = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField("Trạng thái", max_length=20, blank=True)
    urgency = models.CharField("Độ khẩn", max_length=20, blank=True)
    doc_date = models.DateField("Ngày văn bản", null=True, blank=True)
    registered_at = models.DateTimeField("Ngày đến/ngày tạo", default=timezone.now)
    content = models.TextField("Nội dung", blank=True)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Mục chỉ mục tìm kiếm"
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["-registered_at", "-id"], name="search_entry_recent_idx"),
            models.Index(fields=["doc_date"], name="search_entry_date_idx"),
            models.Index(fields=["status"], name="search_entry_status_idx"),
            models.Index(fields=["urgency"], name="search_entry_urgency_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="incoming", incoming__isnull=False, outgoing__isnull=True)
                | models.Q(kind="outgoing", outgoing__isnull=False, incoming__isnull=True),
                name="search_entry_one_document",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.number_symbol or self.subject[:40]}"

    @property
    def url(self) -> str:
        from django.urls import reverse

        if self.kind == self.Kind.INCOMING:
            return reverse("web:incoming_detail", args=[self.incoming_id])
        return reverse("web:outgoing_detail", args=[self.outgoing_id])


class FileText(models.Model):
    """What was read from one stored file, once; documents sharing the file share it."""

    class State(models.TextChoices):
        DONE = "done", "Đã trích xuất"
        PARTIAL = "partial", "Trích xuất một phần"
        FAILED = "failed", "Lỗi"
        UNSUPPORTED = "unsupported", "Không hỗ trợ"

    class Method(models.TextChoices):
        TEXT_LAYER = "text_layer", "Lớp chữ PDF"
        OCR = "ocr", "Nhận dạng chữ (OCR)"
        DOCX = "docx", "Word"
        ODT = "odt", "OpenDocument"
        XLSX = "xlsx", "Excel"
        EMAIL = "email", "Thư điện tử"
        PLAIN = "plain", "Văn bản thuần"
        NONE = "none", "Không có"

    file = models.OneToOneField(StoredFile, on_delete=models.CASCADE, related_name="extracted_text")
    state = models.CharField(max_length=20, choices=State.choices)
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.NONE)
    text = models.TextField(blank=True)
    pages = models.PositiveIntegerField(default=0)
    pages_failed = models.PositiveIntegerField(default=0)
    ocr_file = models.ForeignKey(StoredFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.CharField(max_length=500, blank=True)
    converted_from = models.CharField(max_length=20, blank=True)  # legacy encoding found by the guard
    extracted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Nội dung trích xuất"

    def __str__(self) -> str:
        return f"{self.file_id}: {self.state}"


class SavedSearch(models.Model):
    """Tìm kiếm đã lưu: a person's named query, filters and sort. Only the question is
    kept, never its answer: running it searches again with what the person may see now."""

    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField("Tên", max_length=100)
    # The search form's parameters as the query string carries them (ids as text, dates
    # ISO), so a saved search runs through the same form validation as a typed one.
    params = models.JSONField("Điều kiện tìm kiếm", default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Tìm kiếm đã lưu"
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="search_saved_owner_name_uniq")]

    def __str__(self) -> str:
        return self.name
