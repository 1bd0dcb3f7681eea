from django.urls import URLPattern, path

from vanban.api.views import extraction as views

urlpatterns: list[URLPattern] = [
    path("extraction", views.ExtractionView.as_view(), name="api-extraction"),
    path("extraction/<uuid:pk>", views.ExtractionDetailView.as_view(), name="api-extraction-detail"),
]
