from django.urls import URLPattern, path

from vanban.api.views import workcalendar as views

urlpatterns: list[URLPattern] = [
    path("calendar/settings", views.CalendarSettingsView.as_view(), name="api-calendar-settings"),
    path("calendar/days", views.CalendarDayListView.as_view(), name="api-calendar-days"),
    path("calendar/days/<int:pk>", views.CalendarDayDetailView.as_view(), name="api-calendar-day"),
    path("calendar/copy", views.CalendarCopyView.as_view(), name="api-calendar-copy"),
    path("calendar/check", views.CalendarCheckView.as_view(), name="api-calendar-check"),
    path("deadline-rules", views.DeadlineRuleListView.as_view(), name="api-deadline-rules"),
    path("deadline-rules/<int:pk>", views.DeadlineRuleDetailView.as_view(), name="api-deadline-rule"),
]
