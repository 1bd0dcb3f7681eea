from django.apps import AppConfig


class OutgoingConfig(AppConfig):
    name = "vanban.outgoing"
    label = "outgoing"
    verbose_name = "Văn bản đi"
