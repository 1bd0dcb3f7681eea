"""The working-day calendar (weekends, public holidays, make-up working days) and the
rules that give an assignment its default deadline (by document type and urgency).

Holidays are data, not code: Tết and Giỗ Tổ follow the lunar calendar and the
government moves days around every year (nghỉ bù, làm bù), so the system administrator
edits each year's list."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from vanban.documents.catalogue import Urgency
from vanban.documents.models import DocumentType


def _default_weekend() -> list[int]:
    return [5, 6]  # Python weekdays: Saturday, Sunday


class CalendarSettings(models.Model):
    """One row (pk=1): the weekly rest days and the follow-up delays."""

    weekend_days = models.JSONField("Ngày nghỉ hằng tuần", default=_default_weekend)
    reminder_days = models.PositiveSmallIntegerField("Nhắc trước hạn (ngày làm việc)", default=2)
    escalation_days = models.PositiveSmallIntegerField("Báo cáo khi quá hạn (ngày làm việc)", default=2)

    class Meta:
        verbose_name = "Cấu hình lịch làm việc"

    def __str__(self) -> str:
        return "Cấu hình lịch làm việc"


class CalendarDay(models.Model):
    """A date that differs from the weekly pattern: a holiday (or compensatory day off)
    on a working day, or a make-up working day (ngày làm bù) on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "Ngày nghỉ lễ, Tết"
        WORKDAY = "workday", "Ngày làm bù"

    date = models.DateField("Ngày", unique=True)
    kind = models.CharField("Loại", max_length=20, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField("Tên", max_length=200)

    class Meta:
        ordering = ["date"]
        verbose_name = "Ngày nghỉ, ngày làm bù"

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class DeadlineRule(models.Model):
    """Số ngày làm việc để xử lý, theo loại văn bản và độ khẩn. The most specific rule
    wins: type+urgency, then type (any urgency), then urgency (any type)."""

    document_type = models.ForeignKey(
        DocumentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="Loại văn bản"
    )
    urgency = models.CharField("Độ khẩn", max_length=20, choices=Urgency.choices, blank=True)
    working_days = models.PositiveSmallIntegerField("Số ngày làm việc")

    class Meta:
        ordering = ["document_type__name", "urgency"]
        verbose_name = "Quy tắc hạn xử lý"
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "urgency"], condition=Q(document_type__isnull=False), name="uniq_rule_type"
            ),
            models.UniqueConstraint(
                fields=["urgency"], condition=Q(document_type__isnull=True), name="uniq_rule_any_type"
            ),
            models.CheckConstraint(
                condition=Q(working_days__gte=1) & Q(working_days__lte=365), name="rule_days_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.working_days} ngày làm việc"
