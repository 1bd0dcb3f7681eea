from django.urls import path

from vanban.web.views import backups

urlpatterns = [
    path("quan-tri/sao-luu/", backups.backup_list, name="backups"),
    path("quan-tri/sao-luu/tao/", backups.backup_start, name="backup_start"),
]
