from django.apps import AppConfig


class ScheduleConfig(AppConfig):
    name = "vanban.schedule"
    label = "schedule"
    verbose_name = "Lịch công tác"
