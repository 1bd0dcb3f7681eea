from django.urls import path

from vanban.web.views import search

urlpatterns = [
    path("tim-kiem/", search.search_page, name="search"),
    path("tim-kiem/dem/", search.search_count, name="search_count"),
    path("tim-kiem/xuat-excel/", search.search_export, name="search_export"),
    path("tim-kiem/da-luu/", search.saved_search_create, name="saved_search_create"),
    path("tim-kiem/da-luu/<int:pk>/", search.saved_search_run, name="saved_search_run"),
    path("tim-kiem/da-luu/<int:pk>/doi-ten/", search.saved_search_rename, name="saved_search_rename"),
    path("tim-kiem/da-luu/<int:pk>/xoa/", search.saved_search_delete, name="saved_search_delete"),
    path("quan-tri/tim-kiem/", search.search_admin, name="search_admin"),
    path("quan-tri/tim-kiem/lap-chi-muc/", search.search_reindex, name="search_reindex"),
]
