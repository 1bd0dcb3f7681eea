from django.urls import URLPattern, path

from vanban.api.views import search as views

urlpatterns: list[URLPattern] = [
    path("search", views.SearchView.as_view(), name="api-search"),
]
