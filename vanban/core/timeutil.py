from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    """Today in Vietnam time (TIME_ZONE), not in UTC."""
    return timezone.localdate()


def format_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")
