from django.urls import path

from vanban.web.views import extraction

urlpatterns = [
    path("van-ban-den/doc-tu-dong/", extraction.extraction_start, name="extraction_start"),
    path("van-ban-den/doc-tu-dong/<uuid:pk>/", extraction.extraction_progress, name="extraction_progress"),
]
