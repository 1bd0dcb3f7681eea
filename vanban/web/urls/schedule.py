from django.urls import path

from vanban.web.views import schedule

urlpatterns = [
    path("lich-cong-tac/", schedule.week, name="schedule"),
    path("lich-cong-tac/lap/", schedule.create, name="schedule_create"),
    path("lich-cong-tac/kiem-tra-trung/", schedule.overlap_check, name="schedule_overlap_check"),
    path("lich-cong-tac/<int:pk>/", schedule.detail, name="schedule_detail"),
    path("lich-cong-tac/<int:pk>/them/", schedule.entry_add, name="schedule_entry_add"),
    path("lich-cong-tac/<int:pk>/in/", schedule.print_view, name="schedule_print"),
    path("lich-cong-tac/<int:pk>/lich.pdf", schedule.pdf, name="schedule_pdf"),
    path("lich-cong-tac/<int:pk>/<slug:name>/", schedule.action, name="schedule_action"),
    path("lich-cong-tac/muc/<int:pk>/sua/", schedule.entry_edit, name="schedule_entry_edit"),
    path("lich-cong-tac/muc/<int:pk>/huy/", schedule.entry_cancel, name="schedule_entry_cancel"),
]
