from django.urls import path

from vanban.web.views import imports, jobs

urlpatterns = [
    path("tac-vu/", jobs.job_list, name="jobs"),
    path("tac-vu/<uuid:pk>/", jobs.job_detail, name="job_detail"),
    path("tac-vu/<uuid:pk>/dong/", jobs.job_row, name="job_row"),
    path("tac-vu/<uuid:pk>/tien-do/", jobs.job_progress, name="job_progress"),
    path("tac-vu/<uuid:pk>/loi.xlsx", jobs.job_errors_xlsx, name="job_errors_xlsx"),
    path("tac-vu/<uuid:pk>/xoa-mat-khau/", jobs.job_wipe_passwords, name="job_wipe_passwords"),
    path("quan-tri/tai-khoan/nhap/", imports.account_import, name="account_import"),
    path("quan-tri/tai-khoan/nhap/mau.xlsx", imports.account_import_template, name="account_import_template"),
]
