"""A proposal: the fields read from the first page of one uploaded file, kept for the
clerk who asked until the document is registered (or the proposal expires). The file
itself waits in a private working folder, not in document storage: it enters storage
only when the clerk registers it, and never if it carries a secrecy stamp."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Proposal(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Đang đọc"
        DONE = "done", "Đã đọc xong"
        FAILED = "failed", "Không đọc được"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("Tên tệp", max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveBigIntegerField(default=0)
    # Relative to the working folder; emptied once the file is registered or discarded.
    work_path = models.CharField(max_length=500, blank=True)
    state = models.CharField("Trạng thái", max_length=10, choices=State.choices, default=State.PENDING)
    source = models.CharField("Nguồn chữ", max_length=10, blank=True)  # "text" (PDF text layer) or "ocr"
    fields = models.JSONField("Trường đề xuất", default=dict, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.CharField(max_length=300, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "Đề xuất đọc tự động"
        indexes = [models.Index(fields=["owner", "-created_at"], name="extraction_owner_created_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def secrecy(self) -> str | None:
        return (self.fields or {}).get("secrecy")
