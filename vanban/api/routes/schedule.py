from django.urls import path

from vanban.api.views import schedule as v

urlpatterns = [
    path("schedules", v.ScheduleListView.as_view(), name="api-schedules"),
    path("schedules/<int:pk>", v.ScheduleDetailView.as_view(), name="api-schedule"),
    path("schedules/<int:pk>/entries", v.EntryCreateView.as_view(), name="api-schedule-entries"),
    path("schedules/<int:pk>/submit", v.SubmitView.as_view(), name="api-schedule-submit"),
    path("schedules/<int:pk>/approve", v.ApproveView.as_view(), name="api-schedule-approve"),
    path("schedules/<int:pk>/return", v.ReturnView.as_view(), name="api-schedule-return"),
    path("schedules/<int:pk>/publish", v.PublishView.as_view(), name="api-schedule-publish"),
    path("schedules/<int:pk>/pdf", v.SchedulePdfView.as_view(), name="api-schedule-pdf"),
    path("schedules/entries/<int:pk>", v.EntryDetailView.as_view(), name="api-schedule-entry"),
    path("schedules/entries/<int:pk>/cancel", v.EntryCancelView.as_view(), name="api-schedule-entry-cancel"),
]
