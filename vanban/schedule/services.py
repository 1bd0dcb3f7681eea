"""Writes of the work schedule. Each service checks who may act, changes rows under a
lock of the schedule, and records its audit event in the same transaction.

Entries change freely while the schedule is a draft; a submitted or approved schedule
is locked until the leader returns it; a published one may still change, but each
change is marked "điều chỉnh" with what changed and told to the people concerned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from vanban.audit.services import record
from vanban.core.text import clean_text
from vanban.core.timeutil import format_date
from vanban.notifications.services import notify
from vanban.organisation.models import Unit
from vanban.schedule import permissions
from vanban.schedule.errors import invalid, wrong_state
from vanban.schedule.models import Schedule, ScheduleEntry
from vanban.schedule.selectors import monday_of, overlapping_entries

S = Schedule.Status
NOTIFY_KIND = "schedule.changed"


@dataclass
class EntryData:
    date: dt.date
    start_time: dt.time
    content: str
    end_time: dt.time | None = None
    place: str = ""
    chair: Any | None = None
    participants: list[Any] = field(default_factory=list)
    participant_units: list[Unit] = field(default_factory=list)
    preparing_unit: Unit | None = None
    incoming_documents: list[Any] = field(default_factory=list)
    outgoing_documents: list[Any] = field(default_factory=list)
    notes: str = ""


def _lock(schedule: Schedule) -> Schedule:
    return Schedule.objects.select_for_update(of=("self",)).select_related("unit").get(pk=schedule.pk)


@transaction.atomic
def create_schedule(*, actor: Any, unit: Unit | None, week_start: dt.date) -> Schedule:
    """Open the week's schedule (any day of the week names the week)."""
    authority = permissions.authorize_edit(actor, unit)
    monday = monday_of(week_start)
    exists = Schedule.objects.filter(week_start=monday)
    exists = exists.filter(unit__isnull=True) if unit is None else exists.filter(unit=unit)
    if exists.exists():
        raise wrong_state("schedule_exists", f"Lịch công tác tuần {format_date(monday)} đã được lập.")
    try:
        with transaction.atomic():
            schedule = Schedule.objects.create(unit=unit, week_start=monday, created_by=actor)
    except IntegrityError:
        raise wrong_state("schedule_exists", f"Lịch công tác tuần {format_date(monday)} đã được lập.") from None
    record(actor=actor, action="schedule.created", target=schedule, on_behalf_of=authority.on_behalf_of,
           data={"unit": unit.pk if unit else None, "week_start": monday.isoformat()})
    return schedule


def _validate(schedule: Schedule, data: EntryData) -> EntryData:
    data.content = clean_text(data.content)
    data.place = clean_text(data.place)
    data.notes = clean_text(data.notes)
    if not data.content:
        raise invalid("content_required", "Nhập nội dung công việc.", "content")
    if len(data.place) > 300:
        raise invalid("place_too_long", "Địa điểm dài quá 300 ký tự.", "place")
    if not schedule.week_start <= data.date <= schedule.week_end:
        raise invalid("date_outside_week",
                      f"Ngày phải trong tuần từ {format_date(schedule.week_start)} đến {format_date(schedule.week_end)}.",
                      "date")
    if data.end_time is not None and data.end_time <= data.start_time:
        raise invalid("end_before_start", "Giờ kết thúc phải sau giờ bắt đầu.", "end_time")
    if data.chair is not None and not data.chair.is_active:
        raise invalid("chair_inactive", "Người chủ trì không còn hoạt động.", "chair")
    if any(not p.is_active for p in data.participants):
        raise invalid("participant_inactive", "Có người dự không còn hoạt động.", "participants")
    return data


def _check_documents(actor: Any, data: EntryData) -> None:
    """Only documents the clerk may see can be linked, so a schedule never reveals one."""
    from vanban.incoming.selectors import incoming_visible_to
    from vanban.outgoing.selectors import outgoing_visible_to

    ids = {d.pk for d in data.incoming_documents}
    if ids and incoming_visible_to(actor).filter(pk__in=ids).count() != len(ids):
        raise invalid("document_not_visible", "Không tìm thấy văn bản đến được liên kết.", "incoming_documents")
    ids = {d.pk for d in data.outgoing_documents}
    if ids and outgoing_visible_to(actor).filter(pk__in=ids).count() != len(ids):
        raise invalid("document_not_visible", "Không tìm thấy văn bản đi được liên kết.", "outgoing_documents")


def overlap_warnings(entry_or_data: Any, *, exclude_pk: int | None = None) -> list[str]:
    """Overlapping entries for the same leader are allowed (a leader may leave one
    meeting for another) but the clerk is told."""
    chair = entry_or_data.chair
    warnings = []
    for other in overlapping_entries(chair=chair, date=entry_or_data.date, start=entry_or_data.start_time,
                                     end=entry_or_data.end_time, exclude_pk=exclude_pk):
        end = f"–{other.end_time:%H:%M}" if other.end_time else ""
        owner = other.schedule.unit.name if other.schedule.unit_id else "Lãnh đạo Bộ"
        warnings.append(
            f"Trùng lịch: {chair.full_name} đã có lịch {format_date(other.date)} {other.start_time:%H:%M}{end} "
            f"«{other.content[:80]}» (lịch {owner})."
        )
    return warnings


def _apply(entry: ScheduleEntry, data: EntryData) -> None:
    for name in ("date", "start_time", "end_time", "place", "content", "chair", "preparing_unit", "notes"):
        setattr(entry, name, getattr(data, name))


def _set_relations(entry: ScheduleEntry, data: EntryData) -> None:
    entry.participants.set(data.participants)
    entry.participant_units.set(data.participant_units)
    entry.incoming_documents.set(data.incoming_documents)
    entry.outgoing_documents.set(data.outgoing_documents)


def _snapshot(entry: ScheduleEntry) -> dict[str, Any]:
    return {
        "date": format_date(entry.date),
        "time": f"{entry.start_time:%H:%M}" + (f"–{entry.end_time:%H:%M}" if entry.end_time else ""),
        "place": entry.place,
        "content": entry.content,
        "chair": entry.chair.full_name if entry.chair_id else "",
        "participants": ", ".join(sorted(p.full_name for p in entry.participants.all())),
        "participant_units": ", ".join(sorted(u.name for u in entry.participant_units.all())),
        "preparing_unit": entry.preparing_unit.name if entry.preparing_unit_id else "",
        "notes": entry.notes,
    }


LABELS = {
    "date": "Ngày", "time": "Thời gian", "place": "Địa điểm", "content": "Nội dung", "chair": "Chủ trì",
    "participants": "Thành phần", "participant_units": "Đơn vị dự", "preparing_unit": "Đơn vị chuẩn bị",
    "notes": "Ghi chú",
}


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    parts = []
    for key, label in LABELS.items():
        if before.get(key) != after.get(key):
            parts.append(f"{label}: {before.get(key) or '(trống)'} → {after.get(key) or '(trống)'}")
    return "; ".join(parts)


def concerned_people(entry: ScheduleEntry) -> list[Any]:
    """Chair, named participants and the people of the participating units."""
    User = get_user_model()
    people = list(entry.participants.filter(is_active=True))
    if entry.chair_id and entry.chair.is_active:
        people.append(entry.chair)
    unit_ids = list(entry.participant_units.values_list("pk", flat=True))
    if unit_ids:
        people += list(User.objects.filter(is_active=True, appointments__unit_id__in=unit_ids,
                                           appointments__end_date__isnull=True).distinct())
    return people


def _notify_change(actor: Any, entry: ScheduleEntry, title: str, body: str, extra: list[Any] = ()) -> None:
    notify(recipients=[*concerned_people(entry), *extra], kind=NOTIFY_KIND, title=title, body=body,
           url=f"/lich-cong-tac/{entry.schedule_id}/", actor=actor, target=entry)


def _editable(actor: Any, schedule: Schedule) -> Any:
    authority = permissions.authorize_edit(actor, schedule.unit)
    if schedule.status in (S.SUBMITTED, S.APPROVED):
        raise wrong_state("schedule_locked",
                          "Lịch đang chờ duyệt hoặc đã duyệt: chỉ sửa được sau khi lãnh đạo trả lại, hoặc sau khi công bố.")
    return authority


@transaction.atomic
def add_entry(*, actor: Any, schedule: Schedule, data: EntryData) -> tuple[ScheduleEntry, list[str]]:
    schedule = _lock(schedule)
    authority = _editable(actor, schedule)
    data = _validate(schedule, data)
    _check_documents(actor, data)
    warnings = overlap_warnings(data)
    entry = ScheduleEntry(schedule=schedule)
    _apply(entry, data)
    if schedule.status == S.PUBLISHED:
        entry.adjusted = True
        entry.adjustment_note = "Bổ sung sau khi công bố."
        entry.adjusted_at = timezone.now()
    entry.save()
    _set_relations(entry, data)
    record(actor=actor, action="schedule.entry_added", target=entry, on_behalf_of=authority.on_behalf_of,
           data={"schedule": schedule.pk, "after": _snapshot(entry), "warnings": warnings})
    if schedule.status == S.PUBLISHED:
        _notify_change(actor, entry, f"Bổ sung lịch công tác {format_date(entry.date)}",
                       f"{entry.start_time:%H:%M} {entry.content}")
    return entry, warnings


@transaction.atomic
def update_entry(*, actor: Any, entry: ScheduleEntry, data: EntryData) -> tuple[ScheduleEntry, list[str]]:
    schedule = _lock(entry.schedule)
    authority = _editable(actor, schedule)
    entry = ScheduleEntry.objects.select_related("chair", "preparing_unit").get(pk=entry.pk)
    if entry.cancelled:
        raise wrong_state("entry_cancelled", "Mục lịch đã hủy, không sửa được.")
    data = _validate(schedule, data)
    _check_documents(actor, data)
    before = _snapshot(entry)
    before_people = concerned_people(entry)
    _apply(entry, data)
    warnings = overlap_warnings(entry, exclude_pk=entry.pk)
    entry.save()
    _set_relations(entry, data)
    entry = ScheduleEntry.objects.select_related("chair", "preparing_unit").get(pk=entry.pk)
    after = _snapshot(entry)
    change = describe_changes(before, after)
    if schedule.status == S.PUBLISHED and change:
        stamp = timezone.localtime().strftime("%d/%m/%Y %H:%M")
        entry.adjusted = True
        entry.adjusted_at = timezone.now()
        entry.adjustment_note = "\n".join(filter(None, [entry.adjustment_note, f"{stamp}: {change}"]))
        entry.save(update_fields=["adjusted", "adjusted_at", "adjustment_note", "updated_at"])
        # People dropped from the entry are told too: they should no longer come.
        _notify_change(actor, entry, f"Điều chỉnh lịch công tác {format_date(entry.date)}",
                       f"{entry.content}\n{change}", extra=before_people)
    record(actor=actor, action="schedule.entry_updated", target=entry, on_behalf_of=authority.on_behalf_of,
           data={"schedule": schedule.pk, "before": before, "after": after, "warnings": warnings})
    return entry, warnings


@transaction.atomic
def cancel_entry(*, actor: Any, entry: ScheduleEntry, reason: str = "") -> ScheduleEntry | None:
    """A draft entry is simply removed; a published one stays, struck through and
    marked, and its people are told."""
    schedule = _lock(entry.schedule)
    authority = _editable(actor, schedule)
    entry = ScheduleEntry.objects.select_related("chair").get(pk=entry.pk)
    snapshot = _snapshot(entry)
    reason = clean_text(reason)
    if schedule.status != S.PUBLISHED:
        record(actor=actor, action="schedule.entry_removed", target=entry, on_behalf_of=authority.on_behalf_of,
               data={"schedule": schedule.pk, "before": snapshot})
        entry.delete()
        return None
    if entry.cancelled:
        raise wrong_state("entry_cancelled", "Mục lịch đã hủy.")
    stamp = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    entry.cancelled = True
    entry.adjusted = True
    entry.adjusted_at = timezone.now()
    note = f"{stamp}: Hủy" + (f" ({reason})" if reason else "")
    entry.adjustment_note = "\n".join(filter(None, [entry.adjustment_note, note]))
    entry.save(update_fields=["cancelled", "adjusted", "adjusted_at", "adjustment_note", "updated_at"])
    record(actor=actor, action="schedule.entry_cancelled", target=entry, on_behalf_of=authority.on_behalf_of,
           data={"schedule": schedule.pk, "before": snapshot, "reason": reason})
    _notify_change(actor, entry, f"Hủy lịch công tác {format_date(entry.date)}",
                   f"{entry.start_time:%H:%M} {entry.content}" + (f"\nLý do: {reason}" if reason else ""))
    return entry


@transaction.atomic
def submit(*, actor: Any, schedule: Schedule) -> Schedule:
    schedule = _lock(schedule)
    authority = permissions.authorize_edit(actor, schedule.unit)
    if schedule.status != S.DRAFT:
        raise wrong_state("not_draft", "Chỉ trình duyệt được lịch đang ở trạng thái dự thảo.")
    if not schedule.entries.exists():
        raise invalid("schedule_empty", "Lịch chưa có mục nào để trình duyệt.")
    schedule.status = S.SUBMITTED
    schedule.submitted_by = actor
    schedule.submitted_at = timezone.now()
    schedule.return_reason = ""
    schedule.save()
    record(actor=actor, action="schedule.submitted", target=schedule, on_behalf_of=authority.on_behalf_of)
    return schedule


@transaction.atomic
def approve(*, actor: Any, schedule: Schedule) -> Schedule:
    schedule = _lock(schedule)
    authority = permissions.authorize_approve(actor, schedule.unit)
    if schedule.status != S.SUBMITTED:
        raise wrong_state("not_submitted", "Lịch chưa được trình duyệt.")
    schedule.status = S.APPROVED
    schedule.approved_by = actor
    schedule.approved_at = timezone.now()
    schedule.save()
    record(actor=actor, action="schedule.approved", target=schedule, on_behalf_of=authority.on_behalf_of)
    return schedule


@transaction.atomic
def return_schedule(*, actor: Any, schedule: Schedule, reason: str = "") -> Schedule:
    schedule = _lock(schedule)
    authority = permissions.authorize_approve(actor, schedule.unit)
    if schedule.status not in (S.SUBMITTED, S.APPROVED):
        raise wrong_state("not_submitted", "Chỉ trả lại được lịch đang chờ duyệt hoặc đã duyệt chưa công bố.")
    schedule.status = S.DRAFT
    schedule.return_reason = clean_text(reason)
    schedule.approved_by = None
    schedule.approved_at = None
    schedule.save()
    record(actor=actor, action="schedule.returned", target=schedule, on_behalf_of=authority.on_behalf_of,
           data={"reason": schedule.return_reason})
    return schedule


@transaction.atomic
def publish(*, actor: Any, schedule: Schedule) -> Schedule:
    """The clerk or the approving leader publishes an approved schedule."""
    schedule = _lock(schedule)
    if permissions.can_edit(actor, schedule.unit):
        authority = permissions.authorize_edit(actor, schedule.unit)
    else:
        authority = permissions.authorize_approve(actor, schedule.unit)
    if schedule.status != S.APPROVED:
        raise wrong_state("not_approved", "Chỉ công bố được lịch đã được lãnh đạo duyệt.")
    schedule.status = S.PUBLISHED
    schedule.published_at = timezone.now()
    schedule.save()
    record(actor=actor, action="schedule.published", target=schedule, on_behalf_of=authority.on_behalf_of)
    return schedule
