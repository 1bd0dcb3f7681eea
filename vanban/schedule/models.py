"""Lịch công tác: one weekly schedule per unit (or for the ministry's leaders, unit
empty) and its entries. The schedule carries the approval state; entries changed
after publishing carry the "điều chỉnh" mark and what changed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class Schedule(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Dự thảo"
        SUBMITTED = "submitted", "Chờ duyệt"
        APPROVED = "approved", "Đã duyệt"
        PUBLISHED = "published", "Đã công bố"

    # Empty unit = the schedule of the ministry's leaders (lịch công tác của Lãnh đạo Bộ).
    unit = models.ForeignKey("organisation.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="schedules")
    week_start = models.DateField(help_text="Thứ Hai của tuần")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-week_start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "week_start"], name="schedule_unit_week_uniq"),
            # NULL units are distinct in a plain unique constraint: one ministry schedule a week.
            models.UniqueConstraint(fields=["week_start"], condition=models.Q(unit__isnull=True),
                                    name="schedule_ministry_week_uniq"),
        ]

    def __str__(self) -> str:
        owner = self.unit.name if self.unit_id else "Lãnh đạo Bộ"
        return f"Lịch công tác {owner} tuần {self.week_start:%d/%m/%Y}"

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)

    @property
    def is_ministry(self) -> bool:
        return self.unit_id is None


class ScheduleEntry(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    content = models.TextField()
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="chaired_schedule_entries")
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="schedule_entries")
    participant_units = models.ManyToManyField("organisation.Unit", blank=True, related_name="schedule_entries")
    preparing_unit = models.ForeignKey("organisation.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="prepared_schedule_entries")
    incoming_documents = models.ManyToManyField("incoming.IncomingDocument", blank=True, related_name="schedule_entries")
    outgoing_documents = models.ManyToManyField("outgoing.OutgoingDocument", blank=True, related_name="schedule_entries")
    notes = models.TextField(blank=True)
    cancelled = models.BooleanField(default=False)
    # Set when the entry changed after the schedule was published (điều chỉnh).
    adjusted = models.BooleanField(default=False)
    adjustment_note = models.TextField(blank=True)
    adjusted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date", "start_time", "pk"]
        indexes = [models.Index(fields=["chair", "date"], name="schedentry_chair_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.start_time:%H:%M} {self.content[:60]}"

    @property
    def is_morning(self) -> bool:
        return self.start_time < dt.time(12, 0)
