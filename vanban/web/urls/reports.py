from django.urls import path

from vanban.web.views import reports

urlpatterns = [
    path("thong-ke/", reports.dashboard_view, name="reports_dashboard"),
    path("thong-ke/danh-sach/", reports.figure_view, name="reports_figure"),
    path("thong-ke/bao-cao/", reports.report_view, name="reports_report"),
    path("thong-ke/bao-cao/xuat/", reports.report_export, name="reports_export"),
    path("thong-ke/bao-cao/tai/<uuid:pk>/", reports.report_download, name="reports_download"),
]
