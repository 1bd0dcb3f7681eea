"""Corrects the days 0002 seeded from an earlier seed.py (sources in seed.py's docstring):
Tết Ất Tỵ 2025 had no make-up Saturday (08/02/2025), and Quốc khánh 2026 swaps Monday
31/08 for Saturday 22/08. A row the administrator has already changed (another kind or
name than the one seeded) is left as they made it."""

import datetime as dt

from django.db import migrations

OLD_MAKE_UP = (dt.date(2025, 2, 8), "workday", "Làm bù cho ngày 27/01/2025")
RENAMED = (dt.date(2025, 1, 27), "Tết Nguyên đán (nghỉ hoán đổi)", "Tết Nguyên đán")
ADDED = [
    (dt.date(2026, 8, 22), "workday", "Làm bù cho ngày 31/08/2026"),
    (dt.date(2026, 8, 31), "holiday", "Quốc khánh (nghỉ hoán đổi)"),
]


def forwards(apps, schema_editor):
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    date, kind, name = OLD_MAKE_UP
    CalendarDay.objects.filter(date=date, kind=kind, name=name).delete()
    date, old, new = RENAMED
    CalendarDay.objects.filter(date=date, name=old).update(name=new)
    for date, kind, name in ADDED:
        CalendarDay.objects.get_or_create(date=date, defaults={"kind": kind, "name": name})


def backwards(apps, schema_editor):
    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    for date, kind, name in ADDED:
        CalendarDay.objects.filter(date=date, kind=kind, name=name).delete()
    date, old, new = RENAMED
    CalendarDay.objects.filter(date=date, name=new).update(name=old)
    date, kind, name = OLD_MAKE_UP
    CalendarDay.objects.get_or_create(date=date, defaults={"kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0002_seed")]
    operations = [migrations.RunPython(forwards, backwards)]
