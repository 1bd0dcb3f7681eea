from django.urls import URLPattern, path

from vanban.api.views import search as views
from vanban.api.views import search_saved

urlpatterns: list[URLPattern] = [
    path("search", views.SearchView.as_view(), name="api-search"),
    path("search/count", views.SearchCountView.as_view(), name="api-search-count"),
    path("search/export", search_saved.SearchExportView.as_view(), name="api-search-export"),
    path("search/saved", search_saved.SavedSearchListView.as_view(), name="api-search-saved"),
    path("search/saved/<int:pk>", search_saved.SavedSearchDetailView.as_view(), name="api-search-saved-detail"),
    path("search/saved/<int:pk>/results", search_saved.SavedSearchResultsView.as_view(),
         name="api-search-saved-results"),
]
