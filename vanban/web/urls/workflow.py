from django.urls import path

from vanban.web.views import workflow

urlpatterns = [
    path("viec/don-vi/", workflow.box, {"name": "unit"}, name="unit_box"),
    path("viec/<slug:name>/", workflow.box, name="box"),
    path("van-ban-den/cho-trinh/", workflow.awaiting, name="awaiting"),
    path("van-ban-den/<int:pk>/trinh/", workflow.present, name="present"),
    path("trinh/<int:pk>/", workflow.direct, name="direct"),
    path("giao-viec/<int:pk>/", workflow.assignment_detail, name="assignment"),
    path("giao-viec/<int:pk>/giao-tiep/", workflow.reassign, name="reassign"),
    path("buoc/<int:pk>/tep/", workflow.step_file, name="step_file"),
    path("gia-han/<int:pk>/", workflow.decide_extension, name="decide_extension"),
    path("cong-viec/giao-viec/", workflow.task_new, name="task_new"),
    path("cong-viec/danh-sach/", workflow.task_list, name="tasks"),
    path("cong-viec/<int:pk>/", workflow.task_detail, name="task"),
]
