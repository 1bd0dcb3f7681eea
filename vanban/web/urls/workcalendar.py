from django.urls import path

from vanban.web.views import workcalendar

urlpatterns = [
    path("quan-tri/lich-lam-viec/", workcalendar.calendar_page, name="work_calendar"),
    path("quan-tri/lich-lam-viec/<int:pk>/xoa/", workcalendar.calendar_day_delete, name="work_calendar_delete"),
    path("quan-tri/han-xu-ly/", workcalendar.deadline_rules, name="deadline_rules"),
    path("quan-tri/han-xu-ly/<int:pk>/xoa/", workcalendar.deadline_rule_delete, name="deadline_rule_delete"),
]
