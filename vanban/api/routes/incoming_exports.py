from django.urls import URLPattern, path

from vanban.api.views import incoming_exports as views

urlpatterns: list[URLPattern] = [
    path("registers/<int:pk>/export", views.RegisterExportView.as_view(), name="api-register-export"),
    path("incoming/<int:pk>/receipt", views.IncomingReceiptView.as_view(), name="api-incoming-receipt"),
]
