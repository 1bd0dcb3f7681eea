from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "vanban.notifications"
    label = "notifications"
    verbose_name = "Thông báo"
