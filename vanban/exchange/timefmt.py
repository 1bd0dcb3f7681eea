"""Dates and timestamps in edXML.

Written exactly as the samples and the receivers expect them: `yyyy/MM/dd` and
`yyyy/MM/dd HH:mm:ss`, zone-less, in Vietnam local time (domain.md §7.7; other
formats silently become null or a wrong year in the VNPT library). Read leniently:
those two, ISO 8601 with or without a zone, `dd/MM/yyyy` (Vietnamese order, never
month first), with `-` or `/` or `.`, and epoch milliseconds. A zone-less time is
Vietnam time.
"""

from __future__ import annotations

import datetime as dt
import re

from vanban.exchange.messages import VIETNAM

_YMD = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?$")
_EPOCH_MS = re.compile(r"^-?\d{11,14}$")
MIN_YEAR, MAX_YEAR = 1900, 2200


class DateFormatError(ValueError):
    pass


def _date_part(text: str) -> dt.date:
    m = _YMD.match(text)
    if m:
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = _DMY.match(text)
        if not m:
            raise DateFormatError(text)
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateFormatError(text)
    return dt.date(year, month, day)  # ValueError (a DateFormatError's base) for 2014/02/30


def _iso(text: str) -> dt.datetime | None:
    if "T" not in text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DateFormatError(text)
    return value


def _epoch(text: str) -> dt.datetime | None:
    if not _EPOCH_MS.match(text):
        return None
    try:
        value = dt.datetime.fromtimestamp(int(text) / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise DateFormatError(text) from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DateFormatError(text)
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=VIETNAM)
    return value.astimezone(VIETNAM)


def parse_timestamp(text: str) -> dt.datetime:
    """An aware datetime in Vietnam time; raises ValueError for anything unreadable."""
    text = text.strip()
    for special in (_iso, _epoch):
        value = special(text)
        if value is not None:
            return _aware(value)
    date_text, _, clock = text.partition(" ")
    day = _date_part(date_text)
    clock = clock.strip()
    if not clock:
        return dt.datetime(day.year, day.month, day.day, tzinfo=VIETNAM)
    m = _CLOCK.match(clock)
    if not m:
        raise DateFormatError(text)
    micro = int((m.group(4) or "0").ljust(6, "0"))
    return dt.datetime(
        day.year, day.month, day.day, int(m.group(1)), int(m.group(2)), int(m.group(3) or 0), micro, tzinfo=VIETNAM
    )


def parse_date(text: str) -> dt.date:
    """A calendar date; a timestamp gives its date in Vietnam time."""
    text = text.strip()
    try:
        return _date_part(text)
    except ValueError:
        return parse_timestamp(text).date()


def format_date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        value = _aware(value).date()
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: dt.datetime) -> str:
    local = _aware(value)
    return (
        f"{local.year:04d}/{local.month:02d}/{local.day:02d} {local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    )
