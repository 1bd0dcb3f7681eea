from django.urls import path

from vanban.web.views import usage

urlpatterns = [
    path("quan-tri/giam-sat/", usage.usage_report, name="usage"),
    path("quan-tri/giam-sat/xuat-excel/", usage.usage_export, name="usage_export"),
]
