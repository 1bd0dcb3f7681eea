from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from vanban.api.routes import (
    accounts,
    audit,
    documents,
    extraction,
    incoming,
    incoming_exports,
    jobs,
    organisation,
    outgoing,
    security,
    signatures,
    text,
    usage,
    workflow,
)
from vanban.api.views.auth import MeView, TokenObtainView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token", TokenObtainView.as_view(), name="api-token"),
    path("me", MeView.as_view(), name="api-me"),
    *organisation.urlpatterns,
    *accounts.urlpatterns,
    *security.urlpatterns,
    *jobs.urlpatterns,
    *audit.urlpatterns,
    *usage.urlpatterns,
    *text.urlpatterns,
    *documents.urlpatterns,
    *incoming.urlpatterns,
    *extraction.urlpatterns,
    *workflow.urlpatterns,
    *outgoing.urlpatterns,
    *incoming_exports.urlpatterns,
    *signatures.urlpatterns,
]
