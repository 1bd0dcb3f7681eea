from django.urls import include, path

from vanban.web.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("vanban.api.urls")),
    path("", include("vanban.web.urls")),
]
