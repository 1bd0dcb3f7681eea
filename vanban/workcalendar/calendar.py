"""Working-day arithmetic. A working day is a day that is not a weekly rest day nor a
holiday, or a make-up working day (ngày làm bù) even on a weekend.

Each call loads the exceptional days it needs, a year at a time, in one query per year;
`WorkCalendar` can be kept for a batch of computations (the reminder run does)."""

from __future__ import annotations

import datetime as dt

from vanban.workcalendar.models import CalendarDay, CalendarSettings

# Guard against a calendar with every day off (a misconfiguration), which would loop.
MAX_SCAN_DAYS = 3660


def get_settings() -> CalendarSettings:
    row, _ = CalendarSettings.objects.get_or_create(pk=1)
    return row


class WorkCalendar:
    def __init__(self, weekend_days: list[int] | None = None) -> None:
        if weekend_days is None:
            weekend_days = list(get_settings().weekend_days)
        self.weekend = frozenset(int(d) for d in weekend_days)
        self._years: dict[int, dict[dt.date, str]] = {}

    def _year(self, year: int) -> dict[dt.date, str]:
        days = self._years.get(year)
        if days is None:
            days = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
            self._years[year] = days
        return days

    def is_working_day(self, day: dt.date) -> bool:
        kind = self._year(day.year).get(day)
        if kind == CalendarDay.Kind.WORKDAY:
            return True
        if kind == CalendarDay.Kind.HOLIDAY:
            return False
        return day.weekday() not in self.weekend

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (before it when n < 0); `start` itself is
        not counted. n = 0 gives `start`."""
        step = 1 if n >= 0 else -1
        remaining = abs(n)
        day = start
        scanned = 0
        while remaining:
            day += dt.timedelta(days=step)
            scanned += 1
            if scanned > MAX_SCAN_DAYS:
                raise ValueError("calendar has no working days")
            if self.is_working_day(day):
                remaining -= 1
        return day

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` if it is a working day, else the first working day after it."""
        return day if self.is_working_day(day) else self.add_working_days(day, 1)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]; negative when b is before a. So
        add_working_days(a, working_days_between(a, b)) == b for a working day b."""
        if b == a:
            return 0
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def is_working_day(day: dt.date) -> bool:
    return WorkCalendar().is_working_day(day)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return WorkCalendar().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    return WorkCalendar().working_days_between(a, b)


def non_working_reason(day: dt.date) -> str:
    """Why a date is not a working day (Vietnamese), or "" when it is one."""
    row = CalendarDay.objects.filter(date=day).first()
    if row is not None:
        return "" if row.kind == CalendarDay.Kind.WORKDAY else f"ngày nghỉ {row.name}"
    if day.weekday() in set(get_settings().weekend_days):
        return "ngày nghỉ cuối tuần"
    return ""
