from django.urls import path

from vanban.web.views import search

urlpatterns = [
    path("tim-kiem/", search.search_page, name="search"),
    path("quan-tri/tim-kiem/", search.search_admin, name="search_admin"),
    path("quan-tri/tim-kiem/lap-chi-muc/", search.search_reindex, name="search_reindex"),
]
