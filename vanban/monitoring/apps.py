from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "vanban.monitoring"
    label = "monitoring"
    verbose_name = "Giám sát khai thác sử dụng"
