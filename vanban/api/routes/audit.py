from django.urls import path

from vanban.api.views import audit

urlpatterns = [
    path("audit/events", audit.AuditEventListView.as_view(), name="api-audit-events"),
    path("audit/events/export", audit.AuditEventExportView.as_view(), name="api-audit-export"),
    path("audit/verify", audit.AuditVerifyView.as_view(), name="api-audit-verify"),
]
