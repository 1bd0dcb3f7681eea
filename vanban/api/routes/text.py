from django.urls import URLPattern, path

from vanban.api.views import text as views

urlpatterns: list[URLPattern] = [
    path("text/convert", views.TextConvertView.as_view(), name="api-text-convert"),
]
