from django.apps import AppConfig


class WorkCalendarConfig(AppConfig):
    name = "vanban.workcalendar"
    label = "workcalendar"
    verbose_name = "Lịch làm việc, hạn xử lý"
