from django.urls import path

from vanban.web.views import audit

urlpatterns = [
    path("quan-tri/nhat-ky/", audit.audit_log, name="audit"),
    path("quan-tri/nhat-ky/xuat-excel/", audit.audit_export, name="audit_export"),
    path("quan-tri/nhat-ky/kiem-tra-toan-ven/", audit.audit_verify, name="audit_verify"),
]
