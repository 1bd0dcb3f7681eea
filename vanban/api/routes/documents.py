from django.urls import URLPattern, path

from vanban.api.views import documents as views

urlpatterns: list[URLPattern] = [
    path("document-types", views.DocumentTypeListView.as_view(), name="api-document-type-list"),
    path(
        "document-types/<int:pk>/deactivate",
        views.DocumentTypeDeactivateView.as_view(),
        name="api-document-type-deactivate",
    ),
    path(
        "document-types/<int:pk>/reactivate",
        views.DocumentTypeReactivateView.as_view(),
        name="api-document-type-reactivate",
    ),
    path("registers", views.RegisterListView.as_view(), name="api-register-list"),
    path("registers/<int:pk>/next-number", views.RegisterNextNumberView.as_view(), name="api-register-next-number"),
]
