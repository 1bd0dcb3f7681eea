from django.urls import URLPattern, path

from vanban.api.views import incoming as views

urlpatterns: list[URLPattern] = [
    path("incoming", views.IncomingListView.as_view(), name="api-incoming-list"),
    path("incoming/<int:pk>", views.IncomingDetailView.as_view(), name="api-incoming-detail"),
    path("incoming/<int:pk>/files/<int:file_id>", views.IncomingFileView.as_view(), name="api-incoming-file"),
    path(
        "incoming/<int:pk>/files/<int:file_id>/preview",
        views.IncomingFilePreviewView.as_view(),
        name="api-incoming-file-preview",
    ),
    path(
        "incoming/<int:pk>/files/<int:file_id>/verify",
        views.IncomingFileVerifyView.as_view(),
        name="api-incoming-file-verify",
    ),
]
