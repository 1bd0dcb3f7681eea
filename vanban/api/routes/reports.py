from django.urls import path

from vanban.api.views import reports

urlpatterns = [
    path("reports/dashboard", reports.DashboardView.as_view(), name="api-reports-dashboard"),
    path("reports/documents", reports.FigureDocumentsView.as_view(), name="api-reports-documents"),
    path("reports/processing", reports.ProcessingReportView.as_view(), name="api-reports-processing"),
    path("reports/processing/export", reports.ProcessingExportView.as_view(), name="api-reports-processing-export"),
    path(
        "reports/processing/export-jobs",
        reports.ProcessingExportJobView.as_view(),
        name="api-reports-processing-export-jobs",
    ),
    path("reports/export-jobs/<uuid:pk>", reports.ExportJobFileView.as_view(), name="api-reports-export-file"),
]
