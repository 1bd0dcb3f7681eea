"""Reads of schedules, with access applied in SQL: published schedules for everyone
signed in, the others only for the people who keep or approve them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from vanban.core.errors import NotFound
from vanban.organisation.models import Unit
from vanban.organisation.permissions import effective_roles
from vanban.organisation.roles import Role
from vanban.schedule.models import Schedule, ScheduleEntry

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
KEEPERS = {Role.MINISTRY_CLERK, Role.MINISTRY_LEADER}
UNIT_KEEPERS = {Role.UNIT_CLERK, Role.UNIT_LEADER}


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def schedules_visible_to(user: Any) -> QuerySet[Schedule]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Schedule.objects.none()
    q = Q(status=Schedule.Status.PUBLISHED)
    for role in effective_roles(user):
        if role.role in KEEPERS:
            q |= Q(unit__isnull=True)
        elif role.role in UNIT_KEEPERS and role.unit_path:
            q |= Q(unit__path__startswith=role.unit_path)
    return Schedule.objects.filter(q).select_related("unit", "submitted_by", "approved_by")


def entries_prefetch() -> Prefetch:
    return Prefetch(
        "entries",
        queryset=ScheduleEntry.objects.select_related("chair", "preparing_unit").prefetch_related(
            "participants", "participant_units", "incoming_documents__register", "outgoing_documents"
        ),
    )


def get_schedule_for(user: Any, pk: Any) -> Schedule:
    schedule = schedules_visible_to(user).prefetch_related(entries_prefetch()).filter(pk=pk).first()
    if schedule is None:
        raise NotFound()
    return schedule


def find_schedule(user: Any, *, unit: Unit | None, week_start: dt.date) -> Schedule | None:
    qs = schedules_visible_to(user).filter(week_start=monday_of(week_start))
    qs = qs.filter(unit__isnull=True) if unit is None else qs.filter(unit=unit)
    return qs.prefetch_related(entries_prefetch()).first()


def get_entry_for(user: Any, pk: Any) -> ScheduleEntry:
    entry = (
        ScheduleEntry.objects.filter(pk=pk, schedule__in=schedules_visible_to(user))
        .select_related("schedule__unit", "chair", "preparing_unit")
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


@dataclass
class DayRow:
    date: dt.date
    weekday: str
    morning: list[ScheduleEntry] = field(default_factory=list)
    afternoon: list[ScheduleEntry] = field(default_factory=list)


def week_grid(schedule: Schedule | None, week_start: dt.date) -> list[DayRow]:
    """Mon–Sun, each split into morning (before 12:00) and afternoon."""
    days = [DayRow(week_start + dt.timedelta(days=i), WEEKDAYS[i]) for i in range(7)]
    if schedule is not None:
        for entry in schedule.entries.all():
            row = days[(entry.date - week_start).days]
            (row.morning if entry.is_morning else row.afternoon).append(entry)
    return days


def schedule_scopes(user: Any) -> list[Unit | None]:
    """The schedules a person may open besides the published ones: the ministry's
    (None) and the units they keep or lead, for the week picker."""
    scopes: list[Unit | None] = []
    unit_ids: list[int] = []
    for role in effective_roles(user):
        if role.role in KEEPERS and None not in scopes:
            scopes.append(None)
        elif role.role in UNIT_KEEPERS and role.unit_id and role.unit_id not in unit_ids:
            unit_ids.append(role.unit_id)
    scopes.extend(Unit.objects.filter(pk__in=unit_ids).order_by("path"))
    return scopes


def overlapping_entries(*, chair: Any, date: dt.date, start: dt.time, end: dt.time | None,
                        exclude_pk: int | None = None) -> list[ScheduleEntry]:
    """The chair's other entries that day whose time overlaps [start, end). An entry
    without an end time counts as one hour long."""
    if chair is None:
        return []
    qs = ScheduleEntry.objects.filter(chair=chair, date=date, cancelled=False).select_related("schedule__unit")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    mine = _interval(date, start, end)
    return [e for e in qs if _overlaps(mine, _interval(e.date, e.start_time, e.end_time))]


def _interval(date: dt.date, start: dt.time, end: dt.time | None) -> tuple[dt.datetime, dt.datetime]:
    begin = dt.datetime.combine(date, start)
    finish = dt.datetime.combine(date, end) if end else begin + dt.timedelta(hours=1)
    return begin, finish


def _overlaps(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
