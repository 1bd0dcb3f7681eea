from django.urls import URLPattern, path

from vanban.api.views import signatures as views

urlpatterns: list[URLPattern] = [
    path("me/signing-credentials", views.MeSigningCredentialListView.as_view(), name="api-me-signing-credentials"),
    path(
        "me/signing-credentials/import",
        views.MeSigningCredentialImportView.as_view(),
        name="api-me-signing-credentials-import",
    ),
    path(
        "me/signing-credentials/<int:pk>/revoke",
        views.MeSigningCredentialRevokeView.as_view(),
        name="api-me-signing-credential-revoke",
    ),
    path("me/signature-image", views.MeSignatureImageView.as_view(), name="api-me-signature-image"),
    path("organ-seal", views.OrganSealView.as_view(), name="api-organ-seal"),
]
