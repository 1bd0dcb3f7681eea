"""Editing the working-day calendar and the default-deadline rules: system
administrators only; every change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from vanban.audit import services as audit
from vanban.core.text import clean_text
from vanban.core.timeutil import format_date
from vanban.documents.catalogue import Urgency
from vanban.documents.models import DocumentType
from vanban.organisation.permissions import authorize
from vanban.organisation.roles import Role
from vanban.workcalendar.calendar import get_settings
from vanban.workcalendar.errors import CalendarError
from vanban.workcalendar.models import CalendarDay, CalendarSettings, DeadlineRule

MIN_YEAR, MAX_YEAR = 2000, 2100


def _admin(actor: Any) -> Any:
    return authorize(actor, {Role.SYSTEM_ADMIN})


def _year(value: Any, field: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise CalendarError("invalid_year", "Năm không hợp lệ.", field) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CalendarError("invalid_year", f"Năm phải từ {MIN_YEAR} đến {MAX_YEAR}.", field)
    return year


@transaction.atomic
def update_settings(
    *, actor: Any, weekend_days: list[int], reminder_days: int, escalation_days: int
) -> CalendarSettings:
    authority = _admin(actor)
    try:
        weekend = sorted({int(d) for d in weekend_days})
    except (TypeError, ValueError):
        raise CalendarError("invalid_weekend", "Ngày nghỉ hằng tuần không hợp lệ.", "weekend_days") from None
    if any(d < 0 or d > 6 for d in weekend):
        raise CalendarError("invalid_weekend", "Ngày nghỉ hằng tuần không hợp lệ.", "weekend_days")
    if len(weekend) > 5:
        raise CalendarError("too_many_rest_days", "Mỗi tuần phải có ít nhất hai ngày làm việc.", "weekend_days")
    for name, value in (("reminder_days", reminder_days), ("escalation_days", escalation_days)):
        if not isinstance(value, int) or not 0 <= value <= 60:
            raise CalendarError("invalid_days", "Số ngày làm việc phải từ 0 đến 60.", name)
    row = CalendarSettings.objects.select_for_update().get(pk=get_settings().pk)
    before = {"weekend_days": row.weekend_days, "reminder_days": row.reminder_days,
              "escalation_days": row.escalation_days}  # fmt: skip
    row.weekend_days = weekend
    row.reminder_days = reminder_days
    row.escalation_days = escalation_days
    row.save()
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="workcalendar.settings_changed",
        target=row,
        data={"before": before, "after": {"weekend_days": weekend, "reminder_days": reminder_days,
                                          "escalation_days": escalation_days}},
    )
    return row


@transaction.atomic
def add_day(*, actor: Any, date: dt.date | None, name: str, kind: str = CalendarDay.Kind.HOLIDAY) -> CalendarDay:
    """Add a holiday (or compensatory day off) or a make-up working day."""
    authority = _admin(actor)
    if date is None:
        raise CalendarError("required", "Vui lòng nhập ngày.", "date")
    _year(date.year, "date")
    if kind not in CalendarDay.Kind.values:
        raise CalendarError("invalid_kind", "Loại ngày phải là ngày nghỉ hoặc ngày làm bù.", "kind")
    name = clean_text(name or "").strip()
    if not name:
        raise CalendarError("required", "Vui lòng nhập tên ngày nghỉ, ngày làm bù.", "name")
    if len(name) > 200:
        raise CalendarError("too_long", "Tên dài quá 200 ký tự.", "name")
    if CalendarDay.objects.filter(date=date).exists():
        raise CalendarError("duplicate_day", f"Ngày {format_date(date)} đã có trong lịch.", "date")
    row = CalendarDay.objects.create(date=date, name=name, kind=kind)
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="workcalendar.day_added",
        target=row,
        data={"date": date.isoformat(), "kind": kind, "name": name},
    )
    return row


@transaction.atomic
def remove_day(*, actor: Any, day: CalendarDay) -> None:
    authority = _admin(actor)
    data = {"date": day.date.isoformat(), "kind": day.kind, "name": day.name}
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="workcalendar.day_removed",
        target_type="workcalendar.calendarday",
        target_id=day.pk,
        target_repr=str(day),
        data=data,
    )
    CalendarDay.objects.filter(pk=day.pk).delete()


@transaction.atomic
def copy_year(*, actor: Any, source: Any, target: Any) -> list[CalendarDay]:
    """Copy one year's days to another on the same day and month (29/02 is skipped when
    the target year has none). Lunar holidays (Tết, Giỗ Tổ) move every year: the page
    says so, and the administrator corrects them after copying. Dates the target year
    already has are kept as they are."""
    authority = _admin(actor)
    source, target = _year(source, "source"), _year(target, "target")
    if source == target:
        raise CalendarError("same_year", "Năm đích phải khác năm nguồn.", "target")
    rows = list(CalendarDay.objects.filter(date__year=source))
    if not rows:
        raise CalendarError("empty_year", f"Năm {source} chưa có ngày nghỉ nào để sao chép.", "source")
    existing = set(CalendarDay.objects.filter(date__year=target).values_list("date", flat=True))
    created = []
    for row in rows:
        try:
            new_date = row.date.replace(year=target)
        except ValueError:
            continue
        if new_date in existing:
            continue
        created.append(CalendarDay.objects.create(date=new_date, name=row.name, kind=row.kind))
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="workcalendar.year_copied",
        target_type="workcalendar.calendarday",
        target_id=target,
        target_repr=f"Lịch năm {target}",
        data={"source": source, "target": target, "created": len(created)},
    )
    return created


# --- default deadline rules ------------------------------------------------------------


@transaction.atomic
def set_rule(*, actor: Any, document_type: Any, urgency: str, working_days: Any) -> DeadlineRule:
    """Create or change the rule for (type, urgency); an empty type means every type."""
    authority = _admin(actor)
    dtype = None
    if document_type not in (None, ""):
        if isinstance(document_type, DocumentType):
            dtype = document_type
        else:
            try:
                dtype = DocumentType.objects.get(pk=int(document_type))
            except (DocumentType.DoesNotExist, TypeError, ValueError):
                raise CalendarError("invalid_type", "Loại văn bản không tồn tại.", "document_type") from None
    urgency = urgency or ""
    if urgency and urgency not in Urgency.values:
        raise CalendarError("invalid_urgency", "Độ khẩn không hợp lệ.", "urgency")
    if dtype is None and not urgency:
        raise CalendarError("urgency_required", "Quy tắc chung phải chọn độ khẩn.", "urgency")
    try:
        days = int(working_days)
    except (TypeError, ValueError):
        raise CalendarError("invalid_days", "Số ngày làm việc phải từ 1 đến 365.", "working_days") from None
    if not 1 <= days <= 365:
        raise CalendarError("invalid_days", "Số ngày làm việc phải từ 1 đến 365.", "working_days")
    # No default ordering here: it joins document types, which FOR UPDATE refuses on PostgreSQL.
    rule = DeadlineRule.objects.select_for_update().filter(document_type=dtype, urgency=urgency).order_by("pk").first()
    before = rule.working_days if rule else None
    if rule is None:
        rule = DeadlineRule.objects.create(document_type=dtype, urgency=urgency, working_days=days)
    else:
        rule.working_days = days
        rule.save(update_fields=["working_days"])
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="workcalendar.rule_set",
        target=rule,
        data={"document_type": dtype.pk if dtype else None, "urgency": urgency, "before": before, "after": days},
    )
    return rule


@transaction.atomic
def delete_rule(*, actor: Any, rule: DeadlineRule) -> None:
    authority = _admin(actor)
    if rule.document_type_id is None and rule.urgency == Urgency.NORMAL:
        raise CalendarError("base_rule", "Không xóa quy tắc chung cho văn bản thường; hãy sửa số ngày.", "rule")
    audit.record(
        actor=actor,
        on_behalf_of=authority.on_behalf_of,
        action="workcalendar.rule_deleted",
        target_type="workcalendar.deadlinerule",
        target_id=rule.pk,
        target_repr=str(rule),
        data={"document_type": rule.document_type_id, "urgency": rule.urgency, "working_days": rule.working_days},
    )
    DeadlineRule.objects.filter(pk=rule.pk).delete()
