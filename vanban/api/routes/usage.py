from django.urls import path

from vanban.api.views import usage

urlpatterns = [
    path("usage/summary", usage.UsageSummaryView.as_view(), name="api-usage-summary"),
    path("usage/export", usage.UsageExportView.as_view(), name="api-usage-export"),
]
