from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "vanban.signatures"
    label = "signatures"
    verbose_name = "Chữ ký số"
