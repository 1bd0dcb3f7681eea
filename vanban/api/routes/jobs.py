from django.urls import path

from vanban.api.views.jobs import AccountImportTemplateView, AccountImportView, JobDetailView, JobListView

urlpatterns = [
    path("jobs", JobListView.as_view(), name="api-jobs"),
    path("jobs/<uuid:pk>", JobDetailView.as_view(), name="api-job"),
    path("accounts/import", AccountImportView.as_view(), name="api-account-import"),
    path("accounts/import/template", AccountImportTemplateView.as_view(), name="api-account-import-template"),
]
