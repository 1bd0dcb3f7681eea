from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "vanban.backup"
    label = "backup"
    verbose_name = "Sao lưu và phục hồi"
