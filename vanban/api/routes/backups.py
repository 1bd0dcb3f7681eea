from django.urls import path

from vanban.api.views.backups import BackupListView

urlpatterns = [
    path("backups", BackupListView.as_view(), name="api-backups"),
]
