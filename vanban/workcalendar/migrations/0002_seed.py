from django.db import migrations


def seed(apps, schema_editor):
    from vanban.workcalendar.seed import DAYS, RULES

    CalendarDay = apps.get_model("workcalendar", "CalendarDay")
    CalendarSettings = apps.get_model("workcalendar", "CalendarSettings")
    DeadlineRule = apps.get_model("workcalendar", "DeadlineRule")
    CalendarSettings.objects.get_or_create(pk=1)
    for date, kind, name in DAYS:
        CalendarDay.objects.get_or_create(date=date, defaults={"kind": kind, "name": name})
    for urgency, days in RULES:
        DeadlineRule.objects.get_or_create(document_type=None, urgency=urgency, defaults={"working_days": days})


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
